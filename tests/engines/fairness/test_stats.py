"""The interval and test formulas against scipy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from steward.engines.fairness._stats import (
    adjust_p_values,
    binomial_test,
    compare_proportions,
    fisher_exact,
    two_proportion_z,
    wilson_interval,
    z_quantile,
)


@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_wilson_matches_scipy(confidence: float) -> None:
    rng = np.random.default_rng(7)
    n = rng.integers(1, 5000, size=60)
    x = rng.integers(0, n + 1)
    x[:3], n[:3] = [0, 5, 7], [10, 5, 7]  # the edges: none and all
    lower, upper = wilson_interval(x, n, confidence=confidence)
    for i in range(len(n)):
        ci = stats.binomtest(int(x[i]), int(n[i])).proportion_ci(confidence, method="wilson")
        assert lower[i] == pytest.approx(ci.low, abs=1e-12)
        assert upper[i] == pytest.approx(ci.high, abs=1e-12)


def test_wilson_is_undefined_without_trials() -> None:
    lower, upper = wilson_interval(np.array([0]), np.array([0]))
    assert np.isnan(lower[0]) and np.isnan(upper[0])


def test_z_quantile() -> None:
    assert z_quantile(0.95) == pytest.approx(stats.norm.ppf(0.975), abs=1e-12)


def test_two_proportion_z_is_pearson_chi_square() -> None:
    rng = np.random.default_rng(3)
    for _ in range(50):
        n1, n2 = (int(v) for v in rng.integers(50, 100_000, size=2))
        x1, x2 = int(rng.integers(5, n1 - 5)), int(rng.integers(5, n2 - 5))
        chi2, p, _, _ = stats.chi2_contingency([[x1, n1 - x1], [x2, n2 - x2]], correction=False)
        result = two_proportion_z(x1, n1, x2, n2)
        assert result.statistic**2 == pytest.approx(chi2, rel=1e-9)
        assert result.p_value == pytest.approx(p, rel=1e-9, abs=1e-300)


TABLES = [
    (8, 2, 1, 5), (0, 10, 3, 7), (3, 0, 0, 4), (1, 1, 1, 1), (5, 5, 5, 5), (0, 3, 200, 9000),
    (2, 40, 9000, 120_000), (0, 1, 0, 1), (7, 0, 3, 2), (12, 3, 4000, 90_000), (1, 29, 3, 27),
]


@pytest.mark.parametrize("table", TABLES)
def test_fisher_matches_scipy(table: tuple[int, int, int, int]) -> None:
    a, b, c, d = table
    expected = stats.fisher_exact([[a, b], [c, d]])
    result = fisher_exact(a, b, c, d)
    assert result.p_value == pytest.approx(expected.pvalue, rel=1e-9, abs=1e-15)


def test_fisher_matches_scipy_on_random_tables() -> None:
    rng = np.random.default_rng(11)
    for _ in range(200):
        a, b, c, d = (int(v) for v in rng.integers(0, 40, size=4))
        expected = stats.fisher_exact([[a, b], [c, d]]).pvalue
        assert fisher_exact(a, b, c, d).p_value == pytest.approx(expected, rel=1e-9, abs=1e-15)


def test_compare_proportions_picks_fisher_for_small_expected_counts() -> None:
    assert compare_proportions(1, 8, 500, 1000).test == "fisher"
    assert compare_proportions(300, 1000, 500, 1000).test == "z"
    assert compare_proportions(1, 0, 2, 10) is None


@pytest.mark.parametrize(
    ("k", "n", "p"),
    [(3, 10, 0.5), (0, 1000, 0.001), (7, 1000, 0.002), (1, 100_000, 0.00001), (40, 50, 0.97),
     (500, 1000, 0.45), (1_200, 10_000, 0.1), (3, 10, 0.5)],
)
def test_binomial_matches_scipy(k: int, n: int, p: float) -> None:
    result = binomial_test(k, n, p)
    assert result is not None
    expected = stats.binomtest(k, n, p).pvalue
    assert result.test == "binomial"
    assert result.p_value == pytest.approx(expected, rel=1e-9, abs=0)


def test_binomial_uses_the_normal_approximation_for_huge_counts() -> None:
    result = binomial_test(499_960_000, 1_000_000_000, 0.5)
    assert result is not None and result.test == "z"
    assert result.p_value == pytest.approx(stats.binomtest(499_960_000, 1_000_000_000).pvalue,
                                           rel=1e-3)


def test_holm_and_bonferroni() -> None:
    p = [0.01, 0.04, 0.03, 0.005]
    # Holm by hand: sorted 0.005*4, 0.01*3, 0.03*2, 0.04*1, then running maximum.
    assert adjust_p_values(p) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert adjust_p_values(p, method="bonferroni") == pytest.approx([0.04, 0.16, 0.12, 0.02])
    assert adjust_p_values(p, method="none") == p
    assert adjust_p_values([]) == []


@pytest.mark.parametrize(("k", "n", "p"), [(7, 1000, 0.002), (500, 1000, 0.45),
                                           (1_200, 10_000, 0.1), (40, 50, 0.97)])
def test_binomial_sides_grow_until_what_they_leave_out_cannot_matter(
        k: int, n: int, p: float, monkeypatch: pytest.MonkeyPatch) -> None:
    """The exact test's window starts at a reach guessed from the normal distribution and
    grows while what lies beyond could matter; with no margin at all it must grow, and the
    answer is the same."""
    from steward.engines.fairness import _stats

    windows: list[int] = []
    real = _stats._pmf
    monkeypatch.setattr(_stats, "_pmf", lambda ratios, low, high, mode, odds: (
        windows.append(high - low), real(ratios, low, high, mode, odds))[1])
    monkeypatch.setattr(_stats, "_WINDOW_LOGS", 0)
    monkeypatch.setattr(_stats, "_WINDOW_PAD", 0)
    result = binomial_test(k, n, p)
    assert result is not None
    assert len(windows) > 1 and windows == sorted(windows)
    assert result.p_value == pytest.approx(stats.binomtest(k, n, p).pvalue, rel=1e-9, abs=0)


@pytest.mark.parametrize("seed", [0, 1])
def test_binomial_matches_scipy_on_random_counts(seed: int) -> None:
    """Counts up to 10^7, probabilities down to 1e-6, observed counts up to 45 standard
    deviations out (where a skewed distribution's mirror count lies further out than the
    normal reach): within scipy's own error (its pmf is good to ~1e-10 here)."""
    rng = np.random.default_rng(seed)
    for _ in range(300):
        n = int(10 ** rng.uniform(0, 7))
        p = float(10 ** rng.uniform(-6, 0)) if rng.random() < 0.7 else float(rng.uniform(0, 1))
        sd = math.sqrt(n * p * (1 - p))
        k = int(np.clip(round(n * p + rng.normal() * sd * rng.choice([0.5, 2, 5, 12, 30, 45])),
                        0, n))
        result = binomial_test(k, n, p)
        assert result is not None
        if result.test != "binomial":
            continue
        expected = stats.binomtest(k, n, p).pvalue
        if expected > 1e-250:
            assert result.p_value == pytest.approx(expected, rel=1e-9, abs=0), (k, n, p)
        else:
            assert result.p_value < 1e-240, (k, n, p)


def test_binomial_far_tail_of_a_small_mean_is_summed_beyond_60_standard_deviations() -> None:
    """A mean of 6.8 (sd 2.6): 222 successes lie 83 sd out, yet P(222) is 1e-246 of the mode's,
    well within doubles. The window used to stop at mean + 60 sd + 60 counts, leaving out a
    tail that made the p-value 8.6e-4 too small."""
    k, n, p = 222, 6746, 0.0010047054233238626
    result = binomial_test(k, n, p)
    assert result is not None and result.test == "binomial"
    assert result.p_value == pytest.approx(stats.binomtest(k, n, p).pvalue, rel=1e-9, abs=0)


def test_binomial_p_value_below_the_smallest_double_is_zero() -> None:
    result = binomial_test(400, 6746, 0.0010047054233238626)
    assert result is not None and result.p_value == 0.0
    assert stats.binomtest(400, 6746, 0.0010047054233238626).pvalue < 1e-300


def test_compare_to_one_is_compare_proportions_for_each_group() -> None:
    """The same test (z, Fisher's for small expected counts, none for an empty group) and the
    same bits as one call per group."""
    from steward.engines.fairness._stats import compare_to_one

    rng = np.random.default_rng(3)
    sizes = np.concatenate([rng.integers(0, 40, 200), rng.integers(0, 10**7, 200), [0, 5, 5]])
    hits = np.array([rng.integers(0, s + 1) for s in sizes[:-2]] + [0, 5])
    for x, n in [(30, 100), (0, 10**6), (3, 3), (4_000_000, 9_000_000)]:
        expected = [compare_proportions(int(a), int(s), x, n)
                    for a, s in zip(hits, sizes, strict=True)]
        assert compare_to_one(hits, sizes, x, n) == expected
    assert compare_to_one(hits, sizes, 0, 0) == [None] * len(sizes)
