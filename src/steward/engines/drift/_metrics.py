"""The drift statistics, by their definitions, from sorted arrays and counts.

Every function here matches NumPy/SciPy computed by the same definition (tests hold them to
1e-6): decile edges are ``numpy.quantile(ref, [0.1, ..., 0.9])``; the KS statistic, p-value and
the Wasserstein distance are those of ``scipy.stats.ks_2samp`` and
``scipy.stats.wasserstein_distance``; the Jensen-Shannon distance is
``scipy.spatial.distance.jensenshannon(p, q, base=2)``.
"""

from __future__ import annotations

import math

import numpy as np

PROPORTION_FLOOR = 1e-4
DECILES = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
EXACT_KS_MAX_N = 10_000
"""Like ``ks_2samp(method="auto")``: the exact p-value when both samples have at most this many."""


def decile_edges(values: np.ndarray) -> np.ndarray:
    """The nine reference deciles, NumPy's default (linear) interpolation."""
    return np.quantile(values, DECILES)


def bin_counts(sorted_values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Counts in the bins ``(-inf, e1], (e1, e2], ..., (e9, +inf)`` of sorted values."""
    at_or_below = np.searchsorted(sorted_values, edges, side="right")
    bounds = np.concatenate(([0], at_or_below, [len(sorted_values)]))
    return np.diff(bounds)


def proportions(counts: np.ndarray, total: int) -> np.ndarray:
    """Shares of the total, floored at :data:`PROPORTION_FLOOR` (an empty bin stays comparable)."""
    return np.maximum(np.asarray(counts, dtype=np.float64) / total, PROPORTION_FLOOR)


def psi(reference: np.ndarray, current: np.ndarray) -> float:
    """Population stability index: sum of (cur - ref) * ln(cur / ref)."""
    return float(np.sum((current - reference) * np.log(current / reference)))


def js_distance(p: np.ndarray, q: np.ndarray) -> float:
    """Jensen-Shannon distance, base 2, of two (renormalized) positive distributions."""
    p = p / np.sum(p)
    q = q / np.sum(q)
    m = (p + q) / 2.0
    divergence = np.sum(p * np.log(p / m)) + np.sum(q * np.log(q / m))
    return math.sqrt(max(float(divergence) / math.log(2.0), 0.0) / 2.0)


def ecdf_distances(ref: np.ndarray, cur: np.ndarray) -> tuple[float, float]:
    """The two-sample KS statistic and the Wasserstein-1 distance of two sorted samples.

    Both samples are merged once (a stable merge of two sorted runs); the ECDFs are then running
    counts, read at the last position of each run of equal values, which is where
    ``searchsorted(..., side="right")`` evaluates them in SciPy.
    """
    n1, n2 = len(ref), len(cur)
    merged = np.concatenate((ref, cur))
    order = np.argsort(merged, kind="stable")
    merged = merged[order]
    from_ref = order < n1
    del order
    ref_le = np.cumsum(from_ref, dtype=np.int64)
    del from_ref
    cur_le = np.arange(1, n1 + n2 + 1, dtype=np.int64)
    cur_le -= ref_le
    last = np.empty(n1 + n2, dtype=bool)
    np.not_equal(merged[1:], merged[:-1], out=last[:-1])
    last[-1] = True
    if not last.all():
        merged, ref_le, cur_le = merged[last], ref_le[last], cur_le[last]
    diffs = ref_le / n1 - cur_le / n2
    del ref_le, cur_le
    low = float(np.clip(-diffs.min(), 0, 1))
    high = float(diffs.max())
    statistic = low if low > high else high
    wasserstein = float(np.dot(np.abs(diffs[:-1]), np.diff(merged)))
    return statistic, wasserstein


def ks_pvalue(statistic: float, n1: int, n2: int) -> float:
    """Two-sided asymptotic p-value, as ``ks_2samp`` computes it when a sample exceeds 10,000."""
    from scipy.stats import kstwo

    m, n = sorted((float(n1), float(n2)), reverse=True)
    en = m * n / (m + n)
    return float(np.clip(kstwo.sf(statistic, np.round(en)), 0, 1))


def ks_exact(ref: np.ndarray, cur: np.ndarray) -> tuple[float, float]:
    """``ks_2samp`` itself, for small samples where SciPy computes the exact p-value."""
    from scipy.stats import ks_2samp

    result = ks_2samp(ref, cur)
    return float(result.statistic), float(result.pvalue)
