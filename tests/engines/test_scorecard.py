"""The scorecard engine: targets, statuses, trends and weighted scores, by their definitions."""

from __future__ import annotations

import doctest

import pytest

import steward.engines.scorecard
from steward.engines.scorecard import Measure, Target, combine, score, worst


def test_doctests() -> None:
    assert doctest.testmod(steward.engines.scorecard).failed == 0


@pytest.mark.parametrize(("value", "direction", "expected"), [
    (0.8, "min", Target(0.8, 0.8, "min")),
    ([0.98, 0.9], "min", Target(0.98, 0.9, "min")),
    ([0, 2], "max", Target(0, 2, "max")),
    ([0.9, 0.98], "min", None),   # red above green for "at least": inconsistent
    ([2, 0], "max", None),
    ("high", "min", None), (True, "min", None), ([], "min", None), ([1, 2, 3], "max", None),
])
def test_targets_parse_from_policy_thresholds(value, direction, expected) -> None:  # type: ignore[no-untyped-def]
    assert Target.parse(value, direction) == expected


@pytest.mark.parametrize(("target", "value", "status"), [
    (Target(0.98, 0.9, "min"), 0.99, "green"), (Target(0.98, 0.9, "min"), 0.98, "green"),
    (Target(0.98, 0.9, "min"), 0.95, "amber"), (Target(0.98, 0.9, "min"), 0.9, "amber"),
    (Target(0.98, 0.9, "min"), 0.89, "red"), (Target(0.8, 0.8, "min"), 0.79, "red"),
    (Target(0, 2, "max"), 0, "green"), (Target(0, 2, "max"), 2, "amber"),
    (Target(0, 2, "max"), 3, "red"), (Target(5, 5, "max"), 6, "red"),
])
def test_red_amber_green(target: Target, value: float, status: str) -> None:
    assert target.judge(value) == status


def test_unmeasured_and_untargeted_measures_say_so() -> None:
    assert Measure("c", "Consent", "responsibility").status == "not_measured"
    assert Measure("r", "Revenue", "performance", value=10.0).status == "no_target"
    # a verdict alone (no number) is measured
    assert Measure("a", "Anonymized", "responsibility", forced_status="red").status == "red"


def test_the_worse_of_verdict_and_target_wins() -> None:
    target = Target(0.8, 0.7, "min")
    assert Measure("f", "F", "responsibility", value=0.9, target=target,
                   forced_status="red").status == "red"
    assert Measure("f", "F", "responsibility", value=0.75, target=target,
                   forced_status="green").status == "amber"


@pytest.mark.parametrize(("history", "better", "trend"), [
    ((("2026-01", 10.0), ("2026-02", 12.0)), "min", "better"),
    ((("2026-01", 10.0), ("2026-02", 12.0)), "max", "worse"),
    ((("2026-01", 10.0), ("2026-02", 10.1)), "min", "flat"),
    ((("2026-01", 0.0), ("2026-02", 0.01)), "max", "flat"),
    ((("2026-01", 10.0), ("2026-02", 8.0)), None, "down"),
    ((("2026-01", 10.0),), "min", None),
])
def test_trends(history, better, trend) -> None:  # type: ignore[no-untyped-def]
    m = Measure("k", "K", "performance", value=history[-1][1], history=history, better=better)
    assert m.trend == trend
    assert m.to_dict()["trend"] == trend


def test_score_weights_points_and_ignores_the_unmeasured() -> None:
    t = Target(1, 1, "min")
    measures = [Measure("a", "A", "responsibility", value=1, target=t, weight=3),   # green
                Measure("b", "B", "responsibility", value=0, target=t, weight=1),   # red
                Measure("c", "C", "responsibility"),                                # unmeasured
                Measure("d", "D", "responsibility", value=5)]                      # no target
    result = score(measures)
    assert result.value == 0.75 and result.measured == 2 and result.total == 4
    assert result.status == "amber"  # default bands: green >= 0.8, red < 0.5
    assert score([Measure("c", "C", "responsibility")]).status == "not_measured"


def test_groups_combine_by_weight_and_skip_empty_groups() -> None:
    t = Target(1, 1, "min")
    good = score([Measure("a", "A", "performance", value=1, target=t)])
    bad = score([Measure("b", "B", "responsibility", value=0, target=t)])
    assert combine([(good, 0.4), (bad, 0.6)]).value == 0.4
    empty = score([])
    assert combine([(good, 0.4), (empty, 0.6)]).value == 1.0
    assert worst(["green", "not_measured", "amber"]) == "amber"
    assert worst([]) == "not_measured"
