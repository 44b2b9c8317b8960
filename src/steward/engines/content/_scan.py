"""The content scanner: one pass of every pattern (PII candidates and all rules), then rules.

:class:`Scanner` compiles a rule set once. :meth:`Scanner.scan` takes text, HTML or Markdown with
its channel and metadata and returns findings with character offsets into the text as given;
:meth:`Scanner.scan_many` does the same for a batch. :func:`judge` turns findings into a verdict.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from operator import attrgetter
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


class _Compiled:
    """One enabled rule, compiled: its pattern ids and the parts of its findings that never
    change (so a finding is built from a few values, not from the rule each time)."""

    __slots__ = ("citation", "doc_finding", "head", "index", "kind", "match", "mode", "near",
                 "require", "require_pii", "rule", "tip", "tips", "unless")

    def __init__(self, rule: ContentRule, index: int, *, match: set[int], unless: Iterable[int],
                 near: Iterable[int], require: Iterable[int], suggestions: Mapping[int, str]
                 ) -> None:
        self.rule = rule
        self.index = index
        self.kind = rule.kind
        self.match = frozenset(match)
        self.unless = frozenset(unless)
        self.near = frozenset(near)
        self.require = frozenset(require)
        self.require_pii = frozenset(rule.require_pii)
        self.mode = _mode(rule)
        self.head = (rule.id, rule.family, rule.severity, rule.title)
        self.citation = rule.citation
        self.tip = rule.suggestion
        self.tips = {p: _tip(rule.suggestion, s) for p, s in suggestions.items() if s}
        self.doc_finding = _new_finding(self.head, 0, 0, "", self.citation, self.tip, None)


class _Plan:
    """The rules that can fire for one channel and metadata, indexed for evaluation.

    ``relevant`` holds every rule pattern whose hits can change a finding here; ``empty`` is the
    result when none of them (and no PII) is found — ``None`` where that depends on the text
    (a chat transcript's first turn).
    """

    __slots__ = ("by_pattern", "doc_rules", "empty", "needs_pii", "pii", "relevant")

    def __init__(self, by_pattern: dict[int, list[_Compiled]], pii: dict[str, list[_Compiled]],
                 doc_rules: list[_Compiled], relevant: frozenset[int], needs_pii: bool,
                 empty: ScanResult | None) -> None:
        self.by_pattern = by_pattern
        self.pii = pii
        self.doc_rules = doc_rules
        self.relevant = relevant
        self.needs_pii = needs_pii
        self.empty = empty


_VERDICTS = ("pass", "review", "block")


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
                rule, len(compiled), match=match,
                unless=[pid(r) for r in rule.unless],
                near=[pid(r) for r in rule.unless_near],
                require=[*(pid(r) for r in rule.require),
                         *(pid(term_regex(t)) for t in rule.require_terms)],
                suggestions=suggestions))
        self.matcher = MultiPattern(patterns, engine=engine)
        self._compiled = tuple(compiled)
        # (policy signature, verdict rank per compiled rule, plans cached per channel/metadata)
        self._state: tuple[Any, list[int], dict[Any, _Plan]] | None = None

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
        state = self._policy_state()
        ranks, plans = state[1], state[2]
        texts: list[str] = []
        item_plans: list[_Plan] = []
        dynamic: list[int] = []  # texts whose plan has no constant result (first-turn rules)
        for text, channel, metadata in items:
            texts.append(text)
            try:  # the plan cache, inlined: the common keys are hashable as they come
                plan = plans.get((channel, metadata if metadata is None
                                  or isinstance(metadata, ContentMeta)
                                  else tuple(metadata.items())))
            except TypeError:
                plan = None
            if plan is None:
                plan = self._plan(channel, metadata, state)
            if plan.empty is None:
                dynamic.append(len(item_plans))
            item_plans.append(plan)
        bodies = [visible_text(t) if "<" in t and looks_like_html(t) else t for t in texts]
        all_hits = self.matcher.scan_grouped(bodies)
        # most texts match nothing that matters: their plan's constant result stands
        results: list[ScanResult] = [plan.empty for plan in item_plans]  # type: ignore[misc]
        evaluate = self._evaluate
        for doc, hits in all_hits.items():
            results[doc] = evaluate(texts[doc], bodies[doc], hits, item_plans[doc], ranks)
        for doc in dynamic:
            if doc not in all_hits:
                results[doc] = evaluate(texts[doc], bodies[doc], (), item_plans[doc], ranks)
        return results

    def _policy_state(self) -> tuple[Any, list[int], dict[Any, _Plan]]:
        """Verdict ranks for the policy in force (recomputed, with the plans, if it changed)."""
        policy = self.policy
        signature = (frozenset(policy.block_on), frozenset(policy.review_on),
                     tuple(policy.severity_overrides.items()))
        state = self._state
        if state is None or state[0] != signature:
            ranks = [_rank(c.rule, policy) for c in self._compiled]
            state = self._state = (signature, ranks, {})
        return state

    def _plan(self, channel: str | None, metadata: Mapping[str, Any] | ContentMeta | None,
              state: tuple[Any, list[int], dict[Any, _Plan]]) -> _Plan:
        """The rules that can fire for this channel and metadata (cached per combination)."""
        plans = state[2]
        try:
            key: Any = (channel, _meta_key(metadata))
            plan = plans.get(key)
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
        relevant: set[int] = set()
        for item in usable:
            for p in item.match:
                by_pattern.setdefault(p, []).append(item)
            if item.match:
                relevant |= item.match | item.unless | item.near
            for entity in item.rule.pii:
                pii.setdefault(entity, []).append(item)
        doc_rules = [c for c in usable if c.kind in ("require", "document")]
        first_turn = False
        for item in doc_rules:
            relevant |= item.require
            first_turn = first_turn or item.rule.first_turn
        if first_turn:
            relevant.add(self._turn_pid)
        needs_pii = bool(pii) or any(c.rule.require_pii for c in doc_rules)
        empty = None
        if not first_turn:  # the result when nothing relevant is found
            ranks = state[1]
            fired = [c for c in doc_rules if c.kind == "document" or not c.rule.within_first]
            fired.sort(key=lambda c: c.rule.id)
            empty = ScanResult(_VERDICTS[max((ranks[c.index] for c in fired), default=0)],
                               tuple(c.doc_finding for c in fired))
        plan = _Plan(by_pattern, pii, doc_rules, frozenset(relevant), needs_pii, empty)
        if key is not None and len(plans) < 4096:
            plans[key] = plan
        return plan

    def _evaluate(self, text: str, body: str, hits: Sequence[tuple[int, int, int]], plan: _Plan,
                  ranks: list[int]) -> ScanResult:
        n_pii = self._n_pii
        relevant = plan.relevant
        present: dict[int, list[tuple[int, int]]] = {}
        pii_hits = []
        for hit in hits:
            p = hit[1]
            if p < n_pii:
                pii_hits.append(hit)
            elif p in relevant:
                places = present.get(p)
                if places is None:
                    present[p] = [(hit[0], hit[2])]
                else:
                    places.append((hit[0], hit[2]))
        spans = (self.detector.resolve_by_start(body, pii_hits) if pii_hits and plan.needs_pii
                 else ())
        if not present and not spans and plan.empty is not None:
            return plan.empty
        out: list[Finding] = []
        rank = 0
        if spans and plan.pii:
            by_entity = plan.pii
            for span in spans:
                for item in by_entity.get(span.entity_type, ()):
                    s, e = span.start, span.end
                    out.append(_new_finding(item.head, s, e, "" if s == e else text[s:e],
                                            item.citation, item.tip, span.entity_type))
                    if ranks[item.index] > rank:
                        rank = ranks[item.index]
        if present and plan.by_pattern:
            by_pattern = plan.by_pattern
            seen: set[tuple[str, int]] = set()
            for p, places in present.items():
                for item in by_pattern.get(p, ()):
                    if item.unless and not item.unless.isdisjoint(present):
                        continue
                    rule_id = item.head[0]
                    tip = item.tips.get(p, item.tip)
                    for s, e in places:
                        if item.near and _near(present, item.near, s, e, item.rule.near):
                            continue
                        if (rule_id, s) in seen:
                            continue
                        seen.add((rule_id, s))
                        out.append(_new_finding(item.head, s, e, "" if s == e else text[s:e],
                                                item.citation, tip, None))
                        if ranks[item.index] > rank:
                            rank = ranks[item.index]
        for item in plan.doc_rules:
            mode = item.mode
            if mode == _REQUIRE:  # fires when none of its patterns (or PII types) is there
                if not item.require.isdisjoint(present) or (
                        item.require_pii and any(s.entity_type in item.require_pii
                                                 for s in spans)):
                    continue
                finding = item.doc_finding
            elif mode == _DOCUMENT:
                finding = item.doc_finding
            else:
                found = [s for p in item.require for s, _ in present.get(p, ())]
                if item.require_pii:
                    found += [s.start for s in spans if s.entity_type in item.require_pii]
                if mode == _FIRST_TURN:
                    turns = [s for s, _ in present.get(self._turn_pid, ()) if s > 0]
                    limit = min(turns) if turns else _paragraph_end(body)
                    if any(s < limit for s in found):
                        continue
                    end = min(limit, len(text))
                    finding = _new_finding(item.head, 0, end, text[:end][:200], item.citation,
                                           item.tip, None)
                else:  # _WITHIN_FIRST
                    if not found or min(found) < item.rule.within_first:  # type: ignore[operator]
                        continue
                    first = min(found)
                    finding = _new_finding(item.head, first, first, "", item.citation,
                                           item.tip, None)
            out.append(finding)
            if ranks[item.index] > rank:
                rank = ranks[item.index]
        if len(out) > 1:
            out.sort(key=_FINDING_ORDER)
        return ScanResult(_VERDICTS[rank], tuple(out))


_MATCH, _PII, _DOCUMENT, _REQUIRE, _WITHIN_FIRST, _FIRST_TURN = range(6)


def _mode(rule: ContentRule) -> int:
    """How the rule fires: on matches, on PII spans, once per document, or on a missing
    requirement (anywhere, within the first characters, or in a chat's first turn)."""
    kind = rule.kind
    if kind != "require":
        return {"match": _MATCH, "pii": _PII}.get(kind, _DOCUMENT)
    if rule.first_turn:
        return _FIRST_TURN
    return _WITHIN_FIRST if rule.within_first else _REQUIRE
_FINDING_ORDER = attrgetter("start", "end", "rule")


def _rank(rule: ContentRule, policy: VerdictPolicy) -> int:
    """2 if the rule's findings block under ``policy``, 1 if they need review, else 0 (as
    :func:`judge` decides)."""
    severity = policy.severity_overrides.get(rule.id, rule.severity)
    if severity in policy.block_on:
        return 2
    return 1 if severity in policy.review_on else 0


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


def _tip(base: str, suggestion: str | None) -> str:
    if suggestion:
        return f"Use \u201c{suggestion}\u201d instead. {base}".strip()
    return base


# Findings are built by the thousand: set the slots of a new instance directly rather than through
# the frozen dataclass's __init__ (one object.__setattr__ call per field). Same object, same
# fields; test_scanner checks the two agree.
_FINDING_FIELDS = ("rule", "family", "severity", "title", "start", "end", "text", "citation",
                   "suggestion", "entity_type")
assert tuple(f.name for f in fields(Finding)) == _FINDING_FIELDS
(_set_rule, _set_family, _set_severity, _set_title, _set_start, _set_end, _set_text,
 _set_citation, _set_suggestion, _set_entity_type) = (getattr(Finding, name).__set__
                                                      for name in _FINDING_FIELDS)
_object_new = object.__new__


def _new_finding(head: tuple[str, str, str, str], start: int, end: int, text: str,
                 citation: Citation, suggestion: str, entity_type: str | None) -> Finding:
    """``Finding(*head, start, end, text, citation, suggestion, entity_type)``, faster."""
    finding = _object_new(Finding)
    _set_rule(finding, head[0])
    _set_family(finding, head[1])
    _set_severity(finding, head[2])
    _set_title(finding, head[3])
    _set_start(finding, start)
    _set_end(finding, end)
    _set_text(finding, text)
    _set_citation(finding, citation)
    _set_suggestion(finding, suggestion)
    _set_entity_type(finding, entity_type)
    return finding
