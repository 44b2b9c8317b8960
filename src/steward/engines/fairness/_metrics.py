"""Rates, intervals, disparities and tests of one scope, derived from its group counts.

Rates follow their usual confusion-matrix definitions; a rate whose denominator is zero is
undefined (NaN here, ``null`` in JSON). Disparities named after Fairlearn's metrics are computed
exactly as Fairlearn computes them (``MetricFrame(...).difference()`` and ``.ratio()`` with
``method="between_groups"``, over all groups of the scope, skipping undefined values):

- ``demographic_parity_difference`` = max - min of the selection rates,
- ``demographic_parity_ratio`` = min / max of the selection rates,
- ``equal_opportunity_difference`` / ``_ratio``: the same on true positive rates,
- ``equalized_odds_difference`` = the larger of the TPR and FPR differences (``agg="worst_case"``),
- ``equalized_odds_ratio`` = the smaller of the TPR and FPR ratios.

The adverse-impact measures of the four-fifths rule (29 CFR 1607.4(D)) compare each group with
the *most-favoured* group — the highest selection rate among the groups large enough to judge:
``selection_rate_ratio`` (impact ratio) and ``selection_rate_difference`` (rate minus the
favoured group's). Their scope-level values are the worst (smallest) over judged groups.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np

from steward.engines.fairness._groups import ScopeCounts
from steward.engines.fairness._stats import (
    BinomialRatios,
    TestResult,
    binomial_test,
    compare_proportions,
    compare_to_one,
    wilson_interval,
)

Level = Literal["marginal", "intersection"]

RATES: dict[str, tuple[str, str]] = {
    "selection_rate": ("selected", "n"),
    "base_rate": ("positives", "labelled"),
    "tpr": ("tp", "positives"),
    "fpr": ("fp", "negatives"),
    "fnr": ("fn", "positives"),
    "tnr": ("tn", "negatives"),
    "precision": ("tp", "predicted_positive"),
    "accuracy": ("correct", "labelled"),
}
LABEL_RATES = ("base_rate", "tpr", "fpr", "fnr", "tnr", "precision", "accuracy")


@dataclass(frozen=True)
class Comparison:
    """A significance test between two groups of a scope (or one group against its share).

    ``metric`` is ``selection_rate`` (group vs the most-favoured), ``tpr`` or ``fpr`` (the
    groups with the lowest and highest rate), or ``representation`` (reach share vs the
    population share, ``against`` is ``None``).
    """

    metric: str
    scope: str
    level: Level
    group: int
    against: int | None
    result: TestResult


@dataclass(frozen=True)
class ScopeMetrics:
    """Everything measured for the groups of one scope, computed once."""

    counts: ScopeCounts
    level: Level
    numbers: dict[str, np.ndarray]
    rates: dict[str, np.ndarray]
    lower: dict[str, np.ndarray]
    upper: dict[str, np.ndarray]
    judged: np.ndarray
    favoured: int | None
    representation_judged: np.ndarray
    tests: tuple[Comparison, ...]
    disparities: dict[str, float | None]
    judged_disparities: dict[str, float | None]
    extremes: dict[str, tuple[int, int] | None]

    @property
    def scope(self) -> str:
        return self.counts.scope

    @cached_property
    def test_index(self) -> dict[tuple[str, int], Comparison]:
        """The (first) test of each (metric, group position)."""
        index: dict[tuple[str, int], Comparison] = {}
        for test in self.tests:
            index.setdefault((test.metric, test.group), test)
        return index


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    num = numerator.astype(np.float64)
    den = denominator.astype(np.float64)
    out = np.full(num.shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def _finite(value: float) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)


def spread(values: np.ndarray, mask: np.ndarray | None = None) -> tuple[
    float | None, float | None, tuple[int, int] | None
]:
    """Fairlearn's between-groups difference (max - min) and ratio (min / max), skipping NaN,
    over the groups in ``mask``; and the positions of the (max, min) groups."""
    keep = ~np.isnan(values)
    if mask is not None:
        keep &= mask
    if not keep.any():
        return None, None, None
    index = np.flatnonzero(keep)
    chosen = values[index]
    i_max, i_min = int(index[np.argmax(chosen)]), int(index[np.argmin(chosen)])
    high, low = values[i_max], values[i_min]
    ratio = low / high if high != 0 else np.nan
    return _finite(high - low), _finite(ratio), (i_max, i_min)


def _derived_counts(counts: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    numbers = dict(counts)
    numbers["labelled"] = counts["positives"] + counts["negatives"]
    numbers["fn"] = counts["positives"] - counts["tp"]
    numbers["tn"] = counts["negatives"] - counts["fp"]
    numbers["correct"] = counts["tp"] + numbers["tn"]
    numbers["predicted_positive"] = counts["tp"] + counts["fp"]
    return numbers


def measure_scope(
    counts: ScopeCounts,
    *,
    level: Level,
    has_label: bool,
    min_group_size: int,
    confidence: float,
) -> ScopeMetrics:
    """Rates with Wilson intervals, impact ratios, representation, disparities and tests."""
    numbers = _derived_counts(counts.counts)
    n = numbers["n"]
    rates: dict[str, np.ndarray] = {}
    lower: dict[str, np.ndarray] = {}
    upper: dict[str, np.ndarray] = {}
    for name, (num, den) in RATES.items():
        if name in LABEL_RATES and not has_label:
            continue
        rates[name] = _ratio(numbers[num], numbers[den])
        lower[name], upper[name] = wilson_interval(numbers[num], numbers[den],
                                                   confidence=confidence)
    rates["mean_score"] = _ratio_float(numbers["score_sum"], numbers["scored"])

    judged = n >= min_group_size
    selection = rates["selection_rate"]
    pool = judged if judged.any() else n > 0
    favoured = None
    if pool.any():
        candidates = np.flatnonzero(pool)
        favoured = int(candidates[np.argmax(selection[candidates])])
    if favoured is not None and selection[favoured] > 0:
        rates["selection_rate_ratio"] = selection / selection[favoured]
        rates["selection_rate_difference"] = selection - selection[favoured]
    else:
        rates["selection_rate_ratio"] = np.full(n.shape, np.nan)
        rates["selection_rate_difference"] = (
            selection - selection[favoured] if favoured is not None else np.full(n.shape, np.nan)
        )

    total_n = n.sum()
    population = (
        counts.population if counts.population is not None else n.astype(np.float64)
    )
    population_share = _ratio_float(population, np.full(n.shape, population.sum()))
    reached = numbers["selected"]
    total_reached = np.full(n.shape, reached.sum())
    rates["reach_share"] = _ratio(reached, total_reached)
    lower["reach_share"], upper["reach_share"] = wilson_interval(reached, total_reached,
                                                                 confidence=confidence)
    rates["population_share"] = population_share
    rates["representation_ratio"] = _ratio_float(rates["reach_share"], population_share)
    representation_judged = np.nan_to_num(population_share) * total_n >= min_group_size

    tests: list[Comparison] = []
    if favoured is not None:
        others = np.flatnonzero(judged & (np.arange(n.size) != favoured))
        compared = compare_to_one(reached[others], n[others], int(reached[favoured]),
                                  int(n[favoured]))
        for g, result in zip(others.tolist(), compared, strict=True):
            if result is not None:
                tests.append(Comparison("selection_rate", counts.scope, level, g, favoured,
                                        result))
    extremes: dict[str, tuple[int, int] | None] = {}
    judged_disparities: dict[str, float | None] = {}
    for name, (num, den) in (("tpr", ("tp", "positives")), ("fpr", ("fp", "negatives"))):
        if not has_label:
            extremes[name] = None
            continue
        gap, _, pair = spread(rates[name], judged)
        extremes[name] = pair
        judged_disparities[f"{name}_difference"] = gap
        if pair is not None and pair[0] != pair[1]:
            high, low = pair
            result = compare_proportions(int(numbers[num][low]), int(numbers[den][low]),
                                         int(numbers[num][high]), int(numbers[den][high]))
            if result is not None:
                tests.append(Comparison(name, counts.scope, level, low, high, result))
    total_reached_count = int(reached.sum())
    ratios = BinomialRatios(total_reached_count)
    for g in np.flatnonzero(representation_judged):
        result = binomial_test(int(reached[g]), total_reached_count, float(population_share[g]),
                               ratios=ratios)
        if result is not None:
            tests.append(Comparison("representation", counts.scope, level, int(g), None, result))

    disparities = _disparities(rates, has_label=has_label)
    judged_disparities.update(_judged(rates, judged, representation_judged, has_label=has_label))
    return ScopeMetrics(
        counts=counts, level=level, numbers=numbers, rates=rates, lower=lower, upper=upper,
        judged=judged, favoured=favoured, representation_judged=representation_judged,
        tests=tuple(tests), disparities=disparities, judged_disparities=judged_disparities,
        extremes=extremes,
    )


def _ratio_float(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    out = np.full(np.shape(numerator), np.nan)
    np.divide(numerator, denominator, out=out, where=np.asarray(denominator) > 0)
    return out


def _disparities(rates: dict[str, np.ndarray], *, has_label: bool) -> dict[str, float | None]:
    dpd, dpr, _ = spread(rates["selection_rate"])
    out: dict[str, float | None] = {
        "demographic_parity_difference": dpd,
        "demographic_parity_ratio": dpr,
        "equalized_odds_difference": None,
        "equalized_odds_ratio": None,
        "equal_opportunity_difference": None,
        "equal_opportunity_ratio": None,
    }
    if has_label:
        tpr_d, tpr_r, _ = spread(rates["tpr"])
        fpr_d, fpr_r, _ = spread(rates["fpr"])
        out["equal_opportunity_difference"] = tpr_d
        out["equal_opportunity_ratio"] = tpr_r
        out["equalized_odds_difference"] = _worst(max, tpr_d, fpr_d)
        out["equalized_odds_ratio"] = _worst(min, tpr_r, fpr_r)
    return out


def _worst(pick: Callable[[list[float]], float], *values: float | None) -> float | None:
    present = [v for v in values if v is not None]
    return pick(present) if present else None


def _judged(
    rates: dict[str, np.ndarray],
    judged: np.ndarray,
    representation_judged: np.ndarray,
    *,
    has_label: bool,
) -> dict[str, float | None]:
    dpd, dpr, _ = spread(rates["selection_rate"], judged)
    out: dict[str, float | None] = {
        "demographic_parity_difference": dpd,
        "selection_rate_ratio": dpr,
        "selection_rate_difference": None if dpd is None else -dpd,
        "representation_ratio": _min(rates["representation_ratio"], representation_judged),
        "equalized_odds_difference": None,
        "equal_opportunity_difference": None,
    }
    if has_label:
        tpr_d, _, _ = spread(rates["tpr"], judged)
        fpr_d, _, _ = spread(rates["fpr"], judged)
        out["equal_opportunity_difference"] = tpr_d
        out["equalized_odds_difference"] = _worst(max, tpr_d, fpr_d)
    return out


def _min(values: np.ndarray, mask: np.ndarray) -> float | None:
    keep = mask & ~np.isnan(values)
    return _finite(float(values[keep].min())) if keep.any() else None
