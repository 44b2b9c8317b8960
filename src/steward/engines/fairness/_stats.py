"""Intervals and tests computed from counts alone, with numpy and the standard library.

``scipy.stats`` costs ~2.5 s to import here, more than the whole audit of a million rows, so the
few distributions needed are written out (and checked against scipy in the tests):

- Wilson score interval for a proportion (``binomtest(...).proportion_ci(method="wilson")``).
- Two-proportion z test with the pooled variance, two-sided; identical to Pearson's chi-square
  on the 2x2 table without continuity correction (``chi2_contingency(correction=False)``).
- Fisher's exact test, two-sided (``fisher_exact``), used instead when an expected cell count of
  the 2x2 table is below 5 (Cochran's rule).
- Exact binomial test, two-sided (``binomtest``); the score z test for counts in the millions.
- Holm's step-down and Bonferroni's adjustment of p-values for multiple comparisons.

Exact tests sum the point probabilities that are no larger than the observed one (the
"minimum likelihood" two-sided p-value of R and scipy), with a relative tolerance of 1e-7 for
ties. Point probabilities come from the ratio recurrence of the distribution, normalized over
the support, which stays accurate for counts in the billions where ``lgamma`` sums do not.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal

import numpy as np

Correction = Literal["holm", "bonferroni", "none"]
TestName = Literal["z", "fisher", "binomial"]

_TIE = 1.0 + 1e-7
_SQRT2 = math.sqrt(2.0)
_EXACT_SPAN = 20_000
_WINDOW_LOGS, _WINDOW_PAD = 45, 10  # how far the window reaches: see binomial_test
_NEGLIGIBLE = 0.5e-16  # each tail left out: below half of 1e-16 of P(observed)
_GROWTH = 64  # counts a side of the window grows by, at least
_BELOW_DOUBLES = -800.0  # log P(observed) / P(mode) below which the p-value is 0.0
_UNDERFLOW = -746.0  # exp(x) rounds to 0.0 for every x below (the smallest double is e^-744.4)


@dataclass(frozen=True)
class TestResult:
    """One significance test: which test, its statistic and two-sided p-value."""

    test: TestName
    statistic: float | None
    p_value: float


def z_quantile(confidence: float) -> float:
    """The two-sided normal critical value for a confidence level (1.959964 for 0.95)."""
    return NormalDist().inv_cdf(0.5 + confidence / 2.0)


def wilson_interval(
    successes: np.ndarray, trials: np.ndarray, *, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score intervals, element-wise; NaN where ``trials`` is 0.

    Parameters
    ----------
    successes, trials
        Counts of the same shape.
    confidence
        The confidence level, e.g. 0.95.

    Returns
    -------
    (lower, upper)
        Arrays of float64.
    """
    x = np.asarray(successes, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    z = z_quantile(confidence)
    z2 = z * z
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        denominator = 1.0 + z2 / n
        centre = (p + z2 / (2.0 * n)) / denominator
        half = z * np.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / denominator
    lower = np.where(n > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
    upper = np.where(n > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    return lower, upper


def normal_two_sided_p(z: float) -> float:
    """P(|Z| >= |z|) for a standard normal Z, accurate far into the tails."""
    return math.erfc(abs(z) / _SQRT2)


def two_proportion_z(x1: int, n1: int, x2: int, n2: int) -> TestResult:
    """Pooled two-proportion z test of x1/n1 against x2/n2."""
    pooled = (x1 + x2) / (n1 + n2)
    variance = pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)
    if variance <= 0.0:
        return TestResult("z", 0.0, 1.0)
    z = (x1 / n1 - x2 / n2) / math.sqrt(variance)
    return TestResult("z", z, normal_two_sided_p(z))


def _two_sided_from_log_pmf(log_pmf: np.ndarray, observed: int) -> float:
    """The minimum-likelihood two-sided p-value from unnormalized log point probabilities.

    ``log_pmf`` is scratch: it is overwritten (shifted and exponentiated in place).
    """
    shifted = np.subtract(log_pmf, log_pmf.max(), out=log_pmf)
    if shifted[0] >= _UNDERFLOW and shifted[-1] >= _UNDERFLOW:
        # Unimodal: the ends are the smallest values, so nothing underflows.
        pmf = np.exp(shifted, out=shifted)
    else:
        # exp() is exactly 0 below -746 but takes its slow underflow path there (~20x
        # slower), and the tails beyond 38 standard deviations can be much of the array: skip
        # them. The live part is one slice (exp of anything dead inside it would be 0.0 all
        # the same), found without copying it out and back.
        live = shifted >= _UNDERFLOW
        first = int(live.argmax())
        last = len(live) - int(live[::-1].argmax())
        pmf = np.zeros(len(shifted))
        np.exp(shifted[first:last], out=pmf[first:last])
    total = pmf.sum()
    cutoff = pmf[observed] * _TIE
    return float(min(1.0, pmf.sum(where=pmf <= cutoff) / total))


def fisher_exact(a: int, b: int, c: int, d: int) -> TestResult:
    """Fisher's exact test of the 2x2 table ``[[a, b], [c, d]]``, two-sided.

    The statistic is the sample odds ratio ``a*d / (b*c)`` (inf when ``b*c`` is 0).
    """
    row1, row2, col1 = a + b, c + d, a + c
    odds = (a * d / (b * c)) if b * c > 0 else (math.inf if a * d > 0 else math.nan)
    if row1 == 0 or row2 == 0 or col1 == 0 or col1 == row1 + row2:
        return TestResult("fisher", None if math.isnan(odds) else odds, 1.0)
    low, high = max(0, col1 - row2), min(col1, row1)
    k = np.arange(low, high, dtype=np.float64)
    # P(k+1)/P(k) for the hypergeometric count in the top-left cell.
    steps = (np.log(row1 - k) + np.log(col1 - k)) - (
        np.log(k + 1.0) + np.log(row2 - col1 + k + 1.0)
    )
    log_pmf = np.concatenate(([0.0], np.cumsum(steps)))
    return TestResult("fisher", None if math.isnan(odds) else odds,
                      _two_sided_from_log_pmf(log_pmf, a - low))


def expected_counts_small(a: int, b: int, c: int, d: int, *, minimum: float = 5.0) -> bool:
    """Whether any expected count of the 2x2 table under independence is below ``minimum``."""
    total = a + b + c + d
    if total == 0:
        return True
    rows, cols = (a + b, c + d), (a + c, b + d)
    return min(r * s for r in rows for s in cols) / total < minimum


def compare_proportions(x1: int, n1: int, x2: int, n2: int) -> TestResult | None:
    """Test x1/n1 against x2/n2: z test, or Fisher's exact when an expected count is below 5.

    Returns ``None`` when either group is empty.
    """
    if n1 <= 0 or n2 <= 0:
        return None
    a, b, c, d = int(x1), int(n1 - x1), int(x2), int(n2 - x2)
    if expected_counts_small(a, b, c, d):
        return fisher_exact(a, b, c, d)
    return two_proportion_z(int(x1), int(n1), int(x2), int(n2))


def compare_to_one(
    successes: np.ndarray, trials: np.ndarray, x: int, n: int
) -> list[TestResult | None]:
    """:func:`compare_proportions` of each ``successes[i] / trials[i]`` against ``x / n``: the
    same tests with the same bits, the z statistics computed for all at once."""
    x1 = np.asarray(successes, dtype=np.int64)
    n1 = np.asarray(trials, dtype=np.int64)
    results: list[TestResult | None] = [None] * len(x1)
    if n <= 0:
        return results
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled = (x1 + x) / (n1 + n)
        variance = pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n)
        z = ((x1 / n1 - x / n) / np.sqrt(variance)).tolist()
    positive = (variance > 0.0).tolist()
    counts, sizes = x1.tolist(), n1.tolist()
    for i, (a, size) in enumerate(zip(counts, sizes, strict=True)):
        if size <= 0:
            continue
        if expected_counts_small(a, size - a, x, n - x):
            results[i] = fisher_exact(a, size - a, x, n - x)
        elif not positive[i]:
            results[i] = TestResult("z", 0.0, 1.0)
        else:
            results[i] = TestResult("z", z[i], normal_two_sided_p(z[i]))
    return results


class BinomialRatios:
    """The ratios ``(trials - k) / (k + 1)`` and their reciprocals over a range of ``k``, shared
    by the exact binomial tests of one number of trials (a scope's groups: their ranges overlap).

    ``P(k + 1) / P(k)`` is the first times ``p / (1 - p)``. Each value is the one
    :func:`binomial_test` would compute on its own (element-wise), so sharing changes no bit of
    any p-value; it only saves computing the ratios again for every group.
    """

    _MAX = 1 << 18  # counts kept at most (4 MB)

    def __init__(self, trials: int) -> None:
        self.trials = trials
        self.low = self.high = 0
        self.up = self.down = np.empty(0)

    def _ratios(self, low: int, high: int) -> tuple[np.ndarray, np.ndarray]:
        k = np.arange(low, high, dtype=np.float64)
        above, below = self.trials - k, k + 1.0
        return np.divide(above, below), np.divide(below, above, out=above)

    def get(self, low: int, high: int) -> tuple[np.ndarray, np.ndarray]:
        """``(trials - k) / (k + 1)`` and ``(k + 1) / (trials - k)`` for ``k`` in ``[low, high)``
        (views: read only)."""
        if low < self.low or high > self.high:
            new_low, new_high = min(low, self.low), max(high, self.high)
            if self.high == self.low or new_high - new_low > self._MAX:
                self.low, self.high = low, high
                self.up, self.down = self._ratios(low, high)
            else:
                before, after = self._ratios(new_low, self.low), self._ratios(self.high, new_high)
                self.up = np.concatenate((before[0], self.up, after[0]))
                self.down = np.concatenate((before[1], self.down, after[1]))
                self.low, self.high = new_low, new_high
        i, j = low - self.low, high - self.low
        return self.up[i:j], self.down[i:j]


def binomial_test(
    successes: int, trials: int, p: float, *, ratios: BinomialRatios | None = None
) -> TestResult | None:
    """Test ``successes`` out of ``trials`` against probability ``p``, two-sided.

    Exact (``scipy.stats.binomtest``) while 60 standard deviations either side of the mean
    span at most 20,000 counts (a standard deviation up to ~166); beyond that the score z
    test, accurate there to well under the precision any threshold needs. Returns ``None``
    without trials. ``ratios`` shares the ratio recurrence's factors between tests with the
    same ``trials`` (same result, less work).

    The point probabilities, relative to the mode's, are products of the ratios
    ``P(k + 1) / P(k)`` outward from the mode (:func:`_pmf`): none exceeds 1, and no logarithm
    or exponential is taken. They are summed over a window that first reaches, either side of
    the mode, as far from the mean as the observed count is, plus enough for what lies beyond
    to be ~e^-45 of the observed count's probability were the distribution normal
    (``sd * sqrt(z^2 + 90)``). A side whose tail could still matter (:func:`_tail_negligible`)
    reaches further, and the window is computed again: a skewed distribution's mirror of the
    observed count lies further out on its long side.
    """
    if trials <= 0 or not 0.0 <= p <= 1.0:
        return None
    if p in (0.0, 1.0):
        return TestResult("binomial", None, 1.0 if successes == p * trials else 0.0)
    mean = trials * p
    sd = math.sqrt(mean * (1.0 - p))
    if sd > _EXACT_SPAN / 120:
        z = (successes - mean) / sd
        return TestResult("z", z, normal_two_sided_p(z))
    if ratios is None or ratios.trials != trials:
        ratios = BinomialRatios(trials)
    odds = p / (1.0 - p)
    mode = min(trials, int((trials + 1) * p))
    if _log_pmf_ratio(successes, mode, trials, odds) < _BELOW_DOUBLES:
        # Every term summed is at most P(observed), so the p-value is at most
        # (trials + 1) * P(observed) / P(mode) < e^-800 * 2^63: below the smallest double.
        return TestResult("binomial", None, 0.0)
    distance = abs(successes - mean)
    reach = math.sqrt(distance * distance + _WINDOW_LOGS * 2.0 * sd * sd) + _WINDOW_PAD
    first = max(0, min(successes, int(mean - reach)))
    last = min(trials, max(successes, math.ceil(mean + reach)))
    while True:
        pmf = _pmf(ratios, first, last, mode, odds)
        observed = float(pmf[successes - first])
        bound = observed * _NEGLIGIBLE
        grow_up = last < trials and not _tail_negligible(
            float(pmf[-1]), (trials - last) / (last + 1.0) * odds, bound)
        grow_down = first > 0 and not _tail_negligible(
            float(pmf[0]), first / (trials - first + 1.0) / odds, bound)
        if not (grow_up or grow_down):
            break
        if grow_up:
            last = min(trials, last + max(_GROWTH, (last - mode) // 2))
        if grow_down:
            first = max(0, first - max(_GROWTH, (mode - first) // 2))
    cutoff = observed * _TIE
    return TestResult("binomial", None,
                      float(min(1.0, pmf.sum(where=pmf <= cutoff) / pmf.sum())))


def _pmf(ratios: BinomialRatios, low: int, high: int, mode: int, odds: float) -> np.ndarray:
    """P(k) / P(mode) for k in [low, high] (which holds the mode): products of the ratio
    recurrence outward from the mode."""
    pmf = np.empty(high - low + 1)
    pmf[mode - low] = 1.0
    if high > mode:  # P(k + 1) / P(k) = (trials - k) / (k + 1) * odds, for k = mode .. high - 1
        right = pmf[mode - low + 1:]
        np.multiply(ratios.get(mode, high)[0], odds, out=right)
        right.cumprod(out=right)
    if mode > low:  # P(k) / P(k + 1) = (k + 1) / (trials - k) / odds, for k = mode - 1 .. low
        left = pmf[mode - low - 1::-1]
        np.multiply(ratios.get(low, mode)[1][::-1], 1.0 / odds, out=left)
        left.cumprod(out=left)
    return pmf


def _log_pmf_ratio(k: int, mode: int, trials: int, odds: float) -> float:
    """log P(k) / P(mode), by ``lgamma`` (good to ~1e-8 for counts in the millions: enough to
    tell whether it is far below the range of doubles)."""
    return (math.lgamma(mode + 1.0) + math.lgamma(trials - mode + 1.0) - math.lgamma(k + 1.0)
            - math.lgamma(trials - k + 1.0) + (k - mode) * math.log(odds))


def _tail_negligible(end: float, ratio: float, bound: float) -> bool:
    """Whether everything past a window's end is at most ``bound``, given ``P(end)`` and the
    ratio of the next count out to it.

    The binomial is log-concave, so past the end the terms fall at least geometrically, by
    the ratio there: what lies beyond is at most ``P(end) * r / (1 - r)``.
    """
    return ratio < 1.0 and end * ratio / (1.0 - ratio) <= bound


def adjust_p_values(p_values: Sequence[float], *, method: Correction = "holm") -> list[float]:
    """Adjust a family of p-values for multiple comparisons (Holm step-down by default).

    Examples
    --------
    >>> adjust_p_values([0.01, 0.04, 0.02])
    [0.03, 0.04, 0.04]
    """
    p = np.asarray(p_values, dtype=np.float64)
    m = p.size
    if m == 0 or method == "none":
        return [float(v) for v in p]
    if method == "bonferroni":
        return [float(v) for v in np.minimum(1.0, p * m)]
    if method != "holm":
        raise ValueError(f"unknown correction {method!r}")
    order = np.argsort(p, kind="stable")
    stepped = np.maximum.accumulate(np.minimum(1.0, p[order] * (m - np.arange(m))))
    adjusted = np.empty(m)
    adjusted[order] = stepped
    return [float(v) for v in adjusted]
