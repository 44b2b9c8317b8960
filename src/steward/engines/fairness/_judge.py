"""Judgement: measured disparities against thresholds, into pass | warn | fail with reasons.

The defaults (:class:`FairnessThresholds`) until the policy pack supplies its own:

- **selection_rate_ratio** >= 0.8 (the four-fifths rule, 29 CFR 1607.4(D)) for every judged group
  against the most-favoured group. Below 0.8 *and* statistically significant after correction
  (Holm-adjusted p < 0.05) fails; below 0.8 but not significant warns (the rule's own caveat
  about small numbers); a group under ``min_group_size`` rows below 0.8 warns, never fails.
- **equalized_odds_difference** <= 0.1 over the judged groups: above it, fails when the gap that
  exceeds (TPR or FPR, lowest vs highest group) is significant, else warns. Needs a label.
- **representation_ratio** >= 0.8: a group's share of the people reached against its share of
  the reference population (by default the eligible population, all audited rows). Below it,
  fails when significant (binomial test), else warns.
- **demographic_parity_difference** and **equal_opportunity_difference**: reported, judged only
  when the policy sets a maximum.

A scope with fewer than two groups large enough to judge cannot be compared: it warns. Tests
are corrected for multiple comparisons within families — one family per measure (selection,
error rates, representation) and level (marginal tables, intersections) — by Holm's method
unless the policy says otherwise. The overall verdict is the worst of all findings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

from steward.engines.fairness._metrics import Comparison, ScopeMetrics
from steward.engines.fairness._stats import Correction, adjust_p_values
from steward.errors import InvalidInput

Verdict = Literal["pass", "warn", "fail"]
_ORDER: dict[str, int] = {"pass": 0, "warn": 1, "fail": 2}

BAD_THRESHOLD = "threshold {name} must be {rule}, not {value!r}"

FOUR_FIFTHS = "29 CFR 1607.4(D)"
AD_DELIVERY = "United States v. Meta Platforms, Inc., No. 1:22-cv-05187 (S.D.N.Y. 2022)"


@dataclass(frozen=True)
class FairnessThresholds:
    """The policy's thresholds for a fairness audit (``None`` switches a check off).

    Parameters
    ----------
    min_selection_rate_ratio
        Lowest acceptable impact ratio against the most-favoured group (four-fifths rule).
    max_equalized_odds_difference
        Largest acceptable gap in TPR or FPR between judged groups.
    max_equal_opportunity_difference
        Largest acceptable gap in TPR (off by default: equalized odds covers it).
    max_demographic_parity_difference
        Largest acceptable gap in selection rate (off by default: the impact ratio covers it).
    min_representation_ratio
        Lowest acceptable ratio of reach share to population share.
    alpha
        Significance level for the corrected p-values.
    correction
        ``"holm"``, ``"bonferroni"`` or ``"none"``.
    judge_intersections
        Whether intersections are judged too (they are always reported).
    """

    min_selection_rate_ratio: float | None = 0.8
    max_equalized_odds_difference: float | None = 0.1
    max_equal_opportunity_difference: float | None = None
    max_demographic_parity_difference: float | None = None
    min_representation_ratio: float | None = 0.8
    alpha: float = 0.05
    correction: Correction = "holm"
    judge_intersections: bool = True

    def __post_init__(self) -> None:
        for name in ("min_selection_rate_ratio", "max_equalized_odds_difference",
                     "max_equal_opportunity_difference", "max_demographic_parity_difference",
                     "min_representation_ratio"):
            value = getattr(self, name)
            if value is not None and not (isinstance(value, (int, float)) and 0 <= value <= 1):
                raise InvalidInput(BAD_THRESHOLD.format(name=name, rule="between 0 and 1",
                                                        value=value))
        if not (isinstance(self.alpha, (int, float)) and 0 < self.alpha < 1):
            raise InvalidInput(BAD_THRESHOLD.format(name="alpha", rule="between 0 and 1",
                                                    value=self.alpha))
        if self.correction not in ("holm", "bonferroni", "none"):
            raise InvalidInput(BAD_THRESHOLD.format(
                name="correction", rule="'holm', 'bonferroni' or 'none'", value=self.correction))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Finding:
    """One judged statement: a metric on a scope (and group), its verdict and why."""

    metric: str
    scope: str
    verdict: Verdict
    reason: str
    group: dict[str, str] | None = None
    value: float | None = None
    threshold: float | None = None
    test: str | None = None
    p_value: float | None = None
    p_adjusted: float | None = None
    citation: str | None = None

    def to_dict(self) -> dict[str, Any]:
        # asdict() without its deep copy of every field: only ``group`` is mutable.
        return {"metric": self.metric, "scope": self.scope, "verdict": self.verdict,
                "reason": self.reason, "group": None if self.group is None else dict(self.group),
                "value": self.value, "threshold": self.threshold, "test": self.test,
                "p_value": self.p_value, "p_adjusted": self.p_adjusted,
                "citation": self.citation}


TestKey = tuple[str, str, int]


@dataclass(frozen=True)
class Judgement:
    """Verdicts for one result under one set of thresholds."""

    verdict: Verdict
    verdicts: dict[str, Verdict]
    findings: tuple[Finding, ...]
    thresholds: FairnessThresholds
    adjusted: dict[TestKey, float] = field(default_factory=dict)


def worst(verdicts: Sequence[str]) -> Verdict:
    """The most severe verdict (``pass`` for none)."""
    return max(verdicts, key=_ORDER.__getitem__, default="pass")  # type: ignore[return-value]


def _family(test: Comparison) -> tuple[str, str]:
    kind = "error_rate" if test.metric in ("tpr", "fpr") else test.metric
    return kind, test.level


def adjust(scopes: Sequence[ScopeMetrics], correction: Correction) -> dict[TestKey, float]:
    """Adjusted p-value of every test, keyed by (metric, scope, group position)."""
    families: dict[tuple[str, str], list[Comparison]] = {}
    for scope in scopes:
        for test in scope.tests:
            families.setdefault(_family(test), []).append(test)
    adjusted: dict[TestKey, float] = {}
    for tests in families.values():
        values = adjust_p_values([t.result.p_value for t in tests], method=correction)
        for test, value in zip(tests, values, strict=True):
            adjusted[(test.metric, test.scope, test.group)] = value
    return adjusted


def _name(scope: ScopeMetrics, g: int) -> str:
    columns, labels = scope.counts.columns, scope.counts.labels[g]
    return ", ".join(f"{c}={v}" for c, v in zip(columns, labels, strict=True))


def _group(scope: ScopeMetrics, g: int) -> dict[str, str]:
    return dict(zip(scope.counts.columns, scope.counts.labels[g], strict=True))


def _test(scope: ScopeMetrics, metric: str, g: int) -> Comparison | None:
    return scope.test_index.get((metric, g))


class _Judge:
    def __init__(self, thresholds: FairnessThresholds, adjusted: dict[TestKey, float]) -> None:
        self.t = thresholds
        self.adjusted = adjusted
        self.findings: list[Finding] = []

    def significant(self, scope: ScopeMetrics, metric: str, g: int) -> tuple[
        bool, Comparison | None, float | None
    ]:
        test = _test(scope, metric, g)
        if test is None:
            return False, None, None
        p_adj = self.adjusted.get((metric, scope.scope, g))
        return p_adj is not None and p_adj < self.t.alpha, test, p_adj

    def add(self, **fields: Any) -> None:
        self.findings.append(Finding(**fields))

    def comparable(self, scope: ScopeMetrics, metric: str) -> bool:
        count = int(scope.judged.sum())
        if count >= 2:
            return True
        size = int(scope.counts.counts["n"].max()) if len(scope.judged) else 0
        self.add(metric=metric, scope=scope.scope, verdict="warn",
                 reason=f"{scope.scope}: {count} group(s) with enough rows to judge "
                        f"(largest has {size}); nothing to compare")
        return False

    def selection(self, scope: ScopeMetrics, minimum: float) -> None:
        metric = "selection_rate_ratio"
        if not self.comparable(scope, metric):
            return
        ratios, n = scope.rates[metric], scope.counts.counts["n"]
        fav = scope.favoured
        assert fav is not None
        before = len(self.findings)
        for g in range(len(ratios)):
            r = ratios[g]
            if g == fav or np.isnan(r) or r >= minimum or n[g] == 0:
                continue
            sig, test, p_adj = self.significant(scope, "selection_rate", g)
            judged = bool(scope.judged[g])
            verdict = "fail" if judged and sig else "warn"
            why = (f"significant (corrected p = {p_adj:.3g} < {self.t.alpha})" if sig and judged
                   else f"too few rows to judge ({int(n[g])})" if not judged
                   else f"not statistically significant (corrected p = {p_adj:.3g})")
            self.add(metric=metric, scope=scope.scope, verdict=verdict, group=_group(scope, g),
                     value=float(r), threshold=minimum, test=test and test.result.test,
                     p_value=test and test.result.p_value, p_adjusted=p_adj,
                     citation=FOUR_FIFTHS,
                     reason=f"{_name(scope, g)} is selected at {r:.3f} times the rate of "
                            f"{_name(scope, fav)} (below {minimum}); {why}")
        if len(self.findings) == before:
            low = scope.judged_disparities["selection_rate_ratio"]
            self.add(metric=metric, scope=scope.scope, verdict="pass", value=low,
                     threshold=minimum, citation=FOUR_FIFTHS,
                     reason=f"every judged {scope.scope} group is selected at >= {minimum} times "
                            f"the rate of {_name(scope, fav)}")

    def gap(self, scope: ScopeMetrics, metric: str, parts: tuple[str, ...],
            maximum: float) -> None:
        value = scope.judged_disparities[metric]
        if value is None:
            self.add(metric=metric, scope=scope.scope, verdict="warn",
                     reason=f"{scope.scope}: no judged groups with the labels this needs")
            return
        if value <= maximum:
            self.add(metric=metric, scope=scope.scope, verdict="pass", value=value,
                     threshold=maximum,
                     reason=f"{scope.scope}: {metric} {value:.3f} <= {maximum}")
            return
        best: tuple[bool, float, str, Comparison | None, float | None] | None = None
        for part in parts:
            pair = scope.extremes.get(part)
            gap = scope.judged_disparities.get(f"{part}_difference")
            if pair is None or gap is None or gap <= maximum:
                continue
            s, t, p = self.significant(scope, part, pair[1])
            if best is None or (s, gap) > best[:2]:
                best = (s, gap, part, t, p)
        assert best is not None  # the metric is the largest of its parts
        sig, _, shown, test, p_adj = best
        high, low = scope.extremes[shown] or (0, 0)
        rates = scope.rates[shown]
        why = (f"significant (corrected p = {p_adj:.3g} < {self.t.alpha})" if sig
               else "not statistically significant" if p_adj is None
               else f"not statistically significant (corrected p = {p_adj:.3g})")
        self.add(metric=metric, scope=scope.scope, verdict="fail" if sig else "warn",
                 value=value, threshold=maximum, test=test and test.result.test,
                 p_value=test and test.result.p_value, p_adjusted=p_adj,
                 reason=f"{scope.scope}: {metric} {value:.3f} > {maximum}; {shown.upper()} "
                        f"ranges from {rates[low]:.3f} ({_name(scope, low)}) to "
                        f"{rates[high]:.3f} ({_name(scope, high)}); {why}")

    def parity(self, scope: ScopeMetrics, maximum: float) -> None:
        metric = "demographic_parity_difference"
        value = scope.judged_disparities[metric]
        if value is None or value <= maximum:
            self.add(metric=metric, scope=scope.scope, verdict="pass", value=value,
                     threshold=maximum, reason=f"{scope.scope}: {metric} within {maximum}")
            return
        rates = np.where(scope.judged, scope.rates["selection_rate"], np.inf)
        low = int(np.argmin(rates))
        sig, test, p_adj = self.significant(scope, "selection_rate", low)
        self.add(metric=metric, scope=scope.scope, verdict="fail" if sig else "warn",
                 value=value, threshold=maximum, test=test and test.result.test,
                 p_value=test and test.result.p_value, p_adjusted=p_adj,
                 reason=f"{scope.scope}: {metric} {value:.3f} > {maximum}"
                        + ("" if sig else "; not statistically significant"))

    def representation(self, scope: ScopeMetrics, minimum: float) -> None:
        metric = "representation_ratio"
        ratios = scope.rates[metric]
        before = len(self.findings)
        for g in range(len(ratios)):
            r = ratios[g]
            if np.isnan(r):
                if scope.counts.population is not None and scope.counts.counts["n"][g] > 0:
                    self.add(metric=metric, scope=scope.scope, verdict="warn",
                             group=_group(scope, g), citation=AD_DELIVERY,
                             reason=f"{_name(scope, g)} is not in the reference population")
                continue
            if r >= minimum:
                continue
            judged = bool(scope.representation_judged[g])
            sig, test, p_adj = self.significant(scope, "representation", g)
            why = (f"significant (corrected p = {p_adj:.3g} < {self.t.alpha})" if sig and judged
                   else "too few people to judge" if not judged
                   else f"not statistically significant (corrected p = {p_adj:.3g})")
            self.add(metric=metric, scope=scope.scope, verdict="fail" if sig and judged
                     else "warn", group=_group(scope, g), value=float(r), threshold=minimum,
                     test=test and test.result.test, p_value=test and test.result.p_value,
                     p_adjusted=p_adj, citation=AD_DELIVERY,
                     reason=f"{_name(scope, g)} makes up {scope.rates['reach_share'][g]:.3f} of "
                            f"those reached but {scope.rates['population_share'][g]:.3f} of the "
                            f"population (ratio {r:.3f} < {minimum}); {why}")
        if len(self.findings) == before:
            self.add(metric=metric, scope=scope.scope, verdict="pass",
                     value=scope.judged_disparities[metric], threshold=minimum,
                     citation=AD_DELIVERY,
                     reason=f"every {scope.scope} group is reached at >= {minimum} of its "
                            f"population share")


def judge(
    scopes: Sequence[ScopeMetrics], thresholds: FairnessThresholds, *, has_label: bool
) -> Judgement:
    """Judge measured scopes against ``thresholds``; pure, so a new policy can re-judge.

    Returns
    -------
    Judgement
        The overall verdict, the verdict per metric, the findings and the corrected p-values.
    """
    adjusted = adjust(scopes, thresholds.correction)
    j = _Judge(thresholds, adjusted)
    for scope in scopes:
        if scope.level == "intersection" and not thresholds.judge_intersections:
            continue
        if thresholds.min_selection_rate_ratio is not None:
            j.selection(scope, thresholds.min_selection_rate_ratio)
        if has_label and thresholds.max_equalized_odds_difference is not None:
            j.gap(scope, "equalized_odds_difference", ("tpr", "fpr"),
                  thresholds.max_equalized_odds_difference)
        if has_label and thresholds.max_equal_opportunity_difference is not None:
            j.gap(scope, "equal_opportunity_difference", ("tpr",),
                  thresholds.max_equal_opportunity_difference)
        if thresholds.max_demographic_parity_difference is not None:
            j.parity(scope, thresholds.max_demographic_parity_difference)
        if thresholds.min_representation_ratio is not None:
            j.representation(scope, thresholds.min_representation_ratio)
    verdicts: dict[str, Verdict] = {}
    for finding in j.findings:
        verdicts[finding.metric] = worst([verdicts.get(finding.metric, "pass"), finding.verdict])
    return Judgement(
        verdict=worst([f.verdict for f in j.findings]),
        verdicts=verdicts,
        findings=tuple(j.findings),
        thresholds=thresholds,
        adjusted=adjusted,
    )
