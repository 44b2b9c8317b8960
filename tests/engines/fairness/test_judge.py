"""Judgement: verdicts and reasons from crafted group counts."""

from __future__ import annotations

import pyarrow as pa
import pytest

from steward.engines.fairness import (
    BAD_THRESHOLD,
    FairnessResult,
    FairnessThresholds,
    audit_fairness,
)
from steward.errors import InvalidInput


def decisions(**groups: tuple[int, int]) -> pa.Table:
    """A table where group ``name`` has ``n`` rows of which ``selected`` were selected."""
    names, chosen = [], []
    for name, (n, selected) in groups.items():
        names += [name] * n
        chosen += [1] * selected + [0] * (n - selected)
    return pa.table({"g": names, "d": chosen})


def audit(data: pa.Table, **options) -> FairnessResult:
    return audit_fairness(data, groups=["g"], decision="d", **options)


def findings(result: FairnessResult, metric: str) -> list:
    return [f for f in result.findings if f.metric == metric]


def test_four_fifths_breach_that_is_significant_fails() -> None:
    result = audit(decisions(a=(1_000, 500), b=(1_000, 300)))
    [finding] = findings(result, "selection_rate_ratio")
    assert finding.verdict == "fail" and finding.group == {"g": "b"}
    assert finding.value == pytest.approx(0.6) and finding.threshold == 0.8
    assert finding.test == "z" and finding.p_adjusted < 0.05
    assert finding.citation == "29 CFR 1607.4(D)"
    assert "g=b is selected at 0.600 times the rate of g=a" in finding.reason
    assert result.verdict == "fail" and result.judgement.verdicts["selection_rate_ratio"] == "fail"


def test_breach_that_is_not_significant_warns() -> None:
    result = audit(decisions(a=(40, 20), b=(40, 14)))
    [finding] = findings(result, "selection_rate_ratio")
    assert finding.verdict == "warn" and "not statistically significant" in finding.reason


def test_within_four_fifths_passes() -> None:
    result = audit(decisions(a=(500, 250), b=(500, 210)))
    [finding] = findings(result, "selection_rate_ratio")
    assert finding.verdict == "pass" and finding.value == pytest.approx(0.84)


def test_small_group_breach_warns_never_fails() -> None:
    result = audit(decisions(a=(1_000, 500), b=(1_000, 480), c=(10, 0)))
    [finding] = findings(result, "selection_rate_ratio")
    assert finding.group == {"g": "c"} and finding.verdict == "warn"
    assert "too few rows to judge (10)" in finding.reason


def test_fisher_is_used_for_small_expected_counts() -> None:
    result = audit(decisions(a=(40, 8), b=(40, 0)), min_group_size=30)
    [finding] = findings(result, "selection_rate_ratio")
    assert finding.test == "fisher" and finding.verdict == "fail"


def test_one_judged_group_cannot_be_compared() -> None:
    result = audit(decisions(a=(100, 50), b=(5, 0)))
    [finding] = findings(result, "selection_rate_ratio")
    assert finding.verdict == "warn" and "nothing to compare" in finding.reason


def test_equalized_odds_gap_fails_when_significant() -> None:
    n = 2_000
    data = pa.table({
        "g": ["a"] * n + ["b"] * n,
        "y": ([1] * 1000 + [0] * 1000) * 2,
        # Same selection rate, but b is selected among negatives instead of positives.
        "d": [1] * 800 + [0] * 200 + [1] * 200 + [0] * 800
             + [1] * 500 + [0] * 500 + [1] * 500 + [0] * 500,
    })
    result = audit_fairness(data, groups=["g"], decision="d", label="y")
    [finding] = findings(result, "equalized_odds_difference")
    assert finding.verdict == "fail" and finding.value == pytest.approx(0.3)
    assert "TPR ranges from 0.500 (g=b) to 0.800 (g=a)" in finding.reason
    assert result.judgement.verdicts["selection_rate_ratio"] == "pass"


def test_thresholds_switch_checks_off_and_on() -> None:
    data = decisions(a=(1_000, 500), b=(1_000, 300))
    off = audit(data, thresholds=FairnessThresholds(min_selection_rate_ratio=None,
                                                    min_representation_ratio=None))
    assert off.findings == () and off.verdict == "pass"
    parity = audit(data, thresholds=FairnessThresholds(max_demographic_parity_difference=0.1))
    assert findings(parity, "demographic_parity_difference")[0].verdict == "fail"


def test_representation_of_the_eligible_population() -> None:
    result = audit(decisions(a=(1_000, 500), b=(1_000, 300)))
    failing = [f for f in findings(result, "representation_ratio") if f.verdict == "fail"]
    assert [f.group for f in failing] == [{"g": "b"}]
    assert failing[0].value == pytest.approx(0.3 / 0.4)


def test_holm_adjusts_within_a_family() -> None:
    result = audit(decisions(a=(300, 150), b=(300, 110), c=(300, 105), d=(300, 140)))
    adjusted = result.judgement.adjusted
    for test in result.scope("g").tests:
        if test.metric == "selection_rate":
            assert adjusted[("selection_rate", "g", test.group)] >= test.result.p_value
    bonferroni = result.rejudge(FairnessThresholds(correction="bonferroni"))
    assert all(bonferroni.judgement.adjusted[k] >= v for k, v in adjusted.items())


def test_intersections_can_be_left_unjudged() -> None:
    data = pa.table({"g": ["a", "b"] * 500, "h": ["x"] * 500 + ["y"] * 500,
                     "d": [1, 0, 1, 1] * 250})
    judged = audit_fairness(data, groups=["g", "h"], decision="d", intersections=True)
    assert any(f.scope == "g:h" for f in judged.findings)
    quiet = judged.rejudge(FairnessThresholds(judge_intersections=False))
    assert not any(f.scope == "g:h" for f in quiet.findings)


@pytest.mark.parametrize(
    ("options", "name", "rule"),
    [({"min_selection_rate_ratio": 1.5}, "min_selection_rate_ratio", "between 0 and 1"),
     ({"alpha": 0}, "alpha", "between 0 and 1"),
     ({"correction": "fdr"}, "correction", "'holm', 'bonferroni' or 'none'")],
)
def test_bad_thresholds(options: dict, name: str, rule: str) -> None:
    with pytest.raises(InvalidInput) as error:
        FairnessThresholds(**options)
    value = next(iter(options.values()))
    assert str(error.value) == BAD_THRESHOLD.format(name=name, rule=rule, value=value)
