"""The content scanner: one pass of every pattern (PII candidates and all rules), then rules.

:class:`Scanner` compiles a rule set once. :meth:`Scanner.scan` takes text, HTML or Markdown with
its channel and metadata and returns findings with character offsets into the text as given;
:meth:`Scanner.scan_many` does the same for a batch. :func:`judge` turns findings into a verdict.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from steward.engines.content._markup import looks_like_html, visible_text
from steward.engines.content._rules import (
    Citation,
    ContentRule,
    normalise_channel,
    term_regex,
)
from steward.engines.pii import CANDIDATE_PATTERNS, MultiPattern, Pattern, PiiDetector

_FIRST_TURN_END = r"(?:^|\n)[ \t]*(?:user|customer|visitor|client|human|me|you)[ \t]*:"


@dataclass(frozen=True, slots=True)
class ContentMeta:
    """What the text is and where it goes."""

    ai_generated: bool = False
    presented_as: str | None = None
    endorsement: bool = False
    insider: bool = False
    ai_disclosure: bool = False
    in_thread: bool = False
    prior_consent: bool = False
    customer_facing: bool = True
    jurisdictions: tuple[str, ...] = ()

    @classmethod
    def of(cls, data: Mapping[str, Any] | ContentMeta | None) -> ContentMeta:
        if data is None:
            return _NO_META
        if isinstance(data, ContentMeta):
            return data
        unknown = set(data) - _META_FIELDS
        if unknown:
            raise ValueError(f"unknown metadata {', '.join(sorted(unknown))}: use "
                             f"{', '.join(sorted(_META_FIELDS))}")
        fields: dict[str, Any] = {}
        for key, value in data.items():
            if key == "presented_as":
                if value not in (None, "", "review", "testimonial", "endorsement"):
                    raise ValueError("presented_as must be review, testimonial or endorsement")
                fields[key] = value or None
            elif key == "jurisdictions":
                items = [value] if isinstance(value, str) else list(value or [])
                fields[key] = tuple(str(v).strip().upper() for v in items if str(v).strip())
            elif key == "jurisdiction":
                fields["jurisdictions"] = (str(value).strip().upper(),) if value else ()
            else:
                if not isinstance(value, bool):
                    raise ValueError(f"metadata {key} must be true or false")
                fields[key] = value
        return cls(**fields)

    def as_dict(self) -> dict[str, Any]:
        return {"ai_generated": self.ai_generated, "presented_as": self.presented_as,
                "endorsement": self.endorsement, "insider": self.insider,
                "ai_disclosure": self.ai_disclosure, "in_thread": self.in_thread,
                "prior_consent": self.prior_consent, "customer_facing": self.customer_facing,
                "jurisdictions": list(self.jurisdictions)}


_META_FIELDS = frozenset({"ai_generated", "presented_as", "endorsement", "insider",
                          "ai_disclosure", "in_thread", "prior_consent", "customer_facing",
                          "jurisdictions", "jurisdiction"})
_NO_META = ContentMeta()


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule that fired: where (character offsets, end exclusive; 0-0 for the whole text)."""

    rule: str
    family: str
    severity: str
    title: str
    start: int
    end: int
    text: str
    citation: Citation
    suggestion: str
    entity_type: str | None = None

    def as_dict(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "rule": self.rule, "family": self.family, "severity": self.severity,
            "title": self.title, "start": self.start, "end": self.end, "text": self.text,
            "citation": {"instrument": self.citation.instrument,
                         "article": self.citation.article, "url": self.citation.url},
            "suggestion": self.suggestion,
        }
        if self.entity_type is not None:
            record["entity_type"] = self.entity_type
        return record


@dataclass(frozen=True)
class VerdictPolicy:
    """How findings become a verdict until policy packs take over: per-rule severity overrides
    and the severities that block or send content to review."""

    block_on: frozenset[str] = frozenset({"block"})
    review_on: frozenset[str] = frozenset({"review"})
    severity_overrides: Mapping[str, str] = field(default_factory=dict)
    version: str = "builtin-1"


DEFAULT_POLICY = VerdictPolicy()


def judge(findings: Iterable[Finding | Mapping[str, Any]], *,
          policy: VerdictPolicy | None = None) -> str:
    """``block`` if any finding's severity blocks, ``review`` if any needs review, else ``pass``."""
    policy = policy or DEFAULT_POLICY
    verdict = "pass"
    for item in findings:
        rule = item.rule if isinstance(item, Finding) else item["rule"]
        severity = item.severity if isinstance(item, Finding) else item["severity"]
        severity = policy.severity_overrides.get(rule, severity)
        if severity in policy.block_on:
            return "block"
        if severity in policy.review_on:
            verdict = "review"
    return verdict


@dataclass(frozen=True)
class ScanResult:
    verdict: str
    findings: tuple[Finding, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "findings": [f.as_dict() for f in self.findings]}


@dataclass(frozen=True)
class _Compiled:
    rule: ContentRule
    match: frozenset[int]
    unless: frozenset[int]
    near: frozenset[int]
    require: frozenset[int]
    suggestions: Mapping[int, str]


class Scanner:
    """A compiled rule set: one multi-pattern database, and rules indexed by pattern."""

    def __init__(self, rules: Sequence[ContentRule], *, detector: PiiDetector | None = None,
                 policy: VerdictPolicy | None = None, engine: str | None = None) -> None:
        self.rules = tuple(r for r in rules if r.enabled)
        self.detector = detector or PiiDetector(engine=engine)
        self.policy = policy or DEFAULT_POLICY
        patterns: list[Pattern] = list(CANDIDATE_PATTERNS)
        self._n_pii = len(patterns)
        index: dict[tuple[str, bool], int] = {}
        caseless = True

        def pid(regex: str) -> int:
            key = (regex, caseless)
            if key not in index:
                index[key] = len(patterns)
                patterns.append(Pattern(regex, caseless=caseless))
            return index[key]

        self._turn_pid = pid(_FIRST_TURN_END)
        compiled: list[_Compiled] = []
        for rule in self.rules:
            caseless = not rule.case_sensitive
            suggestions: dict[int, str] = {}
            match = {pid(r) for r in rule.match}
            for term, replacement in rule.terms.items():
                term_id = pid(term_regex(term))
                match.add(term_id)
                if replacement:
                    suggestions[term_id] = replacement
            compiled.append(_Compiled(
                rule=rule, match=frozenset(match),
                unless=frozenset(pid(r) for r in rule.unless),
                near=frozenset(pid(r) for r in rule.unless_near),
                require=frozenset([*(pid(r) for r in rule.require),
                                   *(pid(term_regex(t)) for t in rule.require_terms)]),
                suggestions=suggestions))
        self.matcher = MultiPattern(patterns, engine=engine)
        self._compiled = tuple(compiled)
        self._plans: dict[Any, _Plan] = {}

    @property
    def engine(self) -> str:
        return self.matcher.engine

    def scan(self, text: str, *, channel: str | None = None,
             metadata: Mapping[str, Any] | ContentMeta | None = None) -> ScanResult:
        """Findings and verdict for one text (plain, HTML or Markdown)."""
        return self.scan_many([(text, channel, metadata)])[0]

    def findings(self, text: str, *, channel: str | None = None,
                 metadata: Mapping[str, Any] | ContentMeta | None = None) -> tuple[Finding, ...]:
        return self.scan(text, channel=channel, metadata=metadata).findings

    def scan_many(self, items: Iterable[tuple[str, str | None, Mapping[str, Any] | ContentMeta
                                              | None]]) -> list[ScanResult]:
        """``scan`` over ``(text, channel, metadata)`` items, in order, in one pass."""
        texts: list[str] = []
        bodies: list[str] = []
        plans: list[_Plan] = []
        for text, channel, metadata in items:
            texts.append(text)
            bodies.append(visible_text(text) if "<" in text and looks_like_html(text) else text)
            plans.append(self._plan(channel, metadata))
        all_hits = self.matcher.scan_many(bodies)
        policy = self.policy
        return [self._evaluate(text, body, hits, plan, policy)
                for text, body, hits, plan in zip(texts, bodies, all_hits, plans, strict=True)]

    def _plan(self, channel: str | None, metadata: Mapping[str, Any] | ContentMeta | None
              ) -> _Plan:
        """The rules that can fire for this channel and metadata (cached per combination)."""
        try:
            key: Any = (channel, _meta_key(metadata))
            plan = self._plans.get(key)
        except TypeError:  # unhashable metadata values: no cache
            key, plan = None, None
        if plan is not None:
            return plan
        norm = normalise_channel(channel)
        meta = ContentMeta.of(metadata)
        usable = [c for c in self._compiled
                  if _applies(c.rule, norm, meta) and not _satisfied(c.rule, meta)]
        by_pattern: dict[int, list[_Compiled]] = {}
        pii: dict[str, list[_Compiled]] = {}
        for item in usable:
            for p in item.match:
                by_pattern.setdefault(p, []).append(item)
            for entity in item.rule.pii:
                pii.setdefault(entity, []).append(item)
        plan = _Plan(by_pattern, pii, [c for c in usable if c.rule.kind in ("require", "document")])
        if key is not None and len(self._plans) < 4096:
            self._plans[key] = plan
        return plan

    def _evaluate(self, text: str, body: str, hits: list[tuple[int, int, int]], plan: _Plan,
                  policy: VerdictPolicy) -> ScanResult:
        n_pii = self._n_pii
        present: dict[int, list[tuple[int, int]]] = {}
        pii_hits = []
        for hit in hits:
            if hit[0] < n_pii:
                pii_hits.append(hit)
            else:
                present.setdefault(hit[0], []).append((hit[1], hit[2]))
        out: list[Finding] = []
        spans = self.detector.resolve(body, pii_hits) if pii_hits else []
        if plan.pii:
            for span in spans:
                for item in plan.pii.get(span.entity_type, ()):
                    out.append(_finding(item.rule, span.start, span.end, text,
                                        entity_type=span.entity_type))
        if plan.by_pattern:
            seen: set[tuple[str, int]] = set()
            for p, places in present.items():
                for item in plan.by_pattern.get(p, ()):
                    rule = item.rule
                    if item.unless and any(u in present for u in item.unless):
                        continue
                    for s, e in places:
                        if item.near and _near(present, item.near, s, e, rule.near):
                            continue
                        if (rule.id, s) in seen:
                            continue
                        seen.add((rule.id, s))
                        out.append(_finding(rule, s, e, text, suggestion=item.suggestions.get(p)))
        for item in plan.doc_rules:
            rule = item.rule
            if rule.kind == "document":
                out.append(_finding(rule, 0, 0, text))
                continue
            found = [s for p in item.require for s, _ in present.get(p, ())]
            if rule.require_pii:
                found += [s.start for s in spans if s.entity_type in rule.require_pii]
            if rule.first_turn:
                turns = [s for s, _ in present.get(self._turn_pid, ()) if s > 0]
                limit = min(turns) if turns else _paragraph_end(body)
                if not any(s < limit for s in found):
                    out.append(_finding(rule, 0, min(limit, len(text)), text, whole=True))
            elif rule.within_first:
                if found and min(found) >= rule.within_first:
                    first = min(found)
                    out.append(_finding(rule, first, first, text))
            elif not found:
                out.append(_finding(rule, 0, 0, text))
        if len(out) > 1:
            out.sort(key=lambda f: (f.start, f.end, f.rule))
        return ScanResult(judge(out, policy=policy), tuple(out))


@dataclass(frozen=True)
class _Plan:
    by_pattern: dict[int, list[_Compiled]]
    pii: dict[str, list[_Compiled]]
    doc_rules: list[_Compiled]


def _meta_key(metadata: Mapping[str, Any] | ContentMeta | None) -> Any:
    if metadata is None or isinstance(metadata, ContentMeta):
        return metadata
    try:
        key = tuple(metadata.items())
        hash(key)
        return key
    except TypeError:  # a list value (jurisdictions): make it hashable
        return tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in metadata.items())


def _applies(rule: ContentRule, channel: str | None, meta: ContentMeta) -> bool:
    a = rule.applies
    if a.channels and channel not in a.channels:
        return False
    if a.ai_generated is not None and meta.ai_generated != a.ai_generated:
        return False
    if a.presented_as and meta.presented_as not in a.presented_as:
        return False
    if a.endorsement is not None and meta.endorsement != a.endorsement:
        return False
    if a.insider is not None and meta.insider != a.insider:
        return False
    if a.customer_facing is not None and meta.customer_facing != a.customer_facing:
        return False
    return not (a.jurisdictions and meta.jurisdictions
                and not set(a.jurisdictions) & set(meta.jurisdictions))


def _satisfied(rule: ContentRule, meta: ContentMeta) -> bool:
    return any(getattr(meta, flag) for flag in rule.satisfied_by)


def _near(present: dict[int, list[tuple[int, int]]], pids: frozenset[int], start: int, end: int,
          distance: int) -> bool:
    for p in pids:
        for s, e in present.get(p, ()):
            if s < end + distance and e > start - distance:
                return True
    return False


def _paragraph_end(body: str) -> int:
    end = body.find("\n\n")
    return len(body) if end < 0 else end


def _finding(rule: ContentRule, start: int, end: int, text: str, *,
             entity_type: str | None = None, suggestion: str | None = None,
             whole: bool = False) -> Finding:
    snippet = "" if start == end else text[start:end]
    if whole and len(snippet) > 200:
        snippet = snippet[:200]
    tip = rule.suggestion
    if suggestion:
        tip = f"Use \u201c{suggestion}\u201d instead. {tip}".strip()
    return Finding(rule=rule.id, family=rule.family, severity=rule.severity, title=rule.title,
                   start=start, end=end, text=snippet, citation=rule.citation, suggestion=tip,
                   entity_type=entity_type)
