"""Counts per cell from the one pass's result, in numpy (the SQL text is in :mod:`._query`).

Each row of the pass is one cell: raw group values, decision key, label key and calibration cell
with ``COUNT(*)``, ``SUM(score)`` and the smallest and largest score. The decision and label
keys are decoded once per distinct value, and every count the audit needs — selected,
positives, true and false positives, missing and invalid values, calibration — becomes one
masked array over the cells. The calibration bin of each cell comes from its extremes
(:func:`_bins_from_extremes`); when a cell straddles two bins, the exact pass is run instead.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from steward.engines.backends import ProgressCallback, Table
from steward.engines.fairness._query import (
    ABOVE,
    BELOW,
    CALIBRATION_BINS,
    NO_BIN,
    CountSpec,
    Pass,
    count_query,
    reference_sql,
    run_pass,
)

INT_FIELDS = (
    "rows", "n", "selected", "decision_invalid", "positives", "negatives", "label_invalid",
    "tp", "fp", "scored", "score_outside", "cal_n", "cal_pos",
)
FLOAT_FIELDS = ("score_sum", "cal_score_sum")

__all__ = [
    "CALIBRATION_BINS", "FLOAT_FIELDS", "INT_FIELDS", "NO_BIN", "Cells", "CountSpec",
    "calibration_edges", "count_query", "read_cells", "reference_sql",
]


@dataclass(frozen=True)
class Cells:
    """Counts per cell, summed over the decision and label values the query grouped by.

    ``columns[j]`` holds the raw values of group column ``j`` cell by cell, as the backend
    returned them (:attr:`values` has them cell by cell); ``bins`` is each cell's calibration
    bin (-1 when unscored, or when no score column was given).
    """

    columns: tuple[tuple[Any, ...], ...]
    bins: np.ndarray
    counts: dict[str, np.ndarray]

    @property
    def values(self) -> tuple[tuple[Any, ...], ...]:
        """The raw group values of each cell."""
        return tuple(zip(*self.columns, strict=True))


def calibration_edges(bins: int = CALIBRATION_BINS) -> np.ndarray:
    """The bin edges of scikit-learn's ``calibration_curve(strategy="uniform")``."""
    return np.linspace(0.0, 1.0, bins + 1)


def _bins_from_extremes(
    keys: Sequence[Any], lows: Sequence[Any], highs: Sequence[Any]
) -> np.ndarray | None:
    """Calibration bins of :func:`._query._cell_key`'s cells from their smallest and largest score.

    NO_BIN for a NULL or NaN key (no score), BELOW or ABOVE when every score of the cell lies
    below 0 or above 1, else the bin both extremes fall in — ``None`` when a cell's extremes
    fall in different bins (or straddle 0 or 1), and only the exact bin will do.
    """
    key, low, high = _floats(keys), _floats(lows), _floats(highs)
    unscored = np.isnan(key)
    # A NaN extreme (a NaN score in a keyed cell) makes every comparison False: not pure.
    seen = ~np.isnan(low) & ~np.isnan(high)
    below, above = seen & (high < 0), seen & (low > 1)
    inner = calibration_edges()[1:-1]
    low_bin, high_bin = np.searchsorted(inner, low), np.searchsorted(inner, high)
    inside = (low >= 0) & (high <= 1) & (low_bin == high_bin)
    if not (unscored | below | above | inside).all():
        return None
    return np.where(unscored, NO_BIN, np.where(below, BELOW, np.where(above, ABOVE, low_bin)))


def _bins_from_maxima(keys: Sequence[Any], highs: Sequence[Any]) -> np.ndarray | None:
    """Calibration bins of :func:`._query._shifted_cell_key`'s cells (scores proven in [0, 1])
    from their largest score.

    Every score of a cell keyed ``c`` lies above the edge ``(c - 1) / 10`` by construction, so
    the cell's bin is ``max(c - 1, 0)`` when its largest score is at most the edge ``c / 10``
    (numpy's, as scikit-learn bins). NO_BIN for a NULL or NaN key (no score); ``None`` when a
    cell's largest score lies above its edge, or its key outside [0, 10], and only the exact bin
    will do.
    """
    key, high = _floats(keys), _floats(highs)
    unscored = np.isnan(key)
    valid = ~unscored & (key >= 0) & (key <= CALIBRATION_BINS)
    index = np.where(valid, key, 1.0).astype(np.int64)
    fits = valid & (high <= calibration_edges()[np.maximum(index, 1)])  # False for a NaN
    if not (unscored | fits).all():
        return None
    return np.where(unscored, NO_BIN, np.maximum(index - 1, 0))


def _floats(values: Sequence[Any]) -> np.ndarray:
    """Numbers as float64, NULL (``None``) as NaN: numpy converts ``None`` to NaN for a float
    dtype, in C."""
    return np.array(values, dtype=np.float64)


def _decode_bins(keys: Sequence[Any]) -> np.ndarray:
    """Calibration bins from :func:`._query._bin_key`'s keys: NO_BIN, BELOW, 0..9 or ABOVE."""
    key = _floats(keys)
    inside = np.clip(np.nan_to_num(key), 0, CALIBRATION_BINS - 1).astype(np.int64)
    return np.where(np.isnan(key), NO_BIN, np.where(
        key == BELOW, BELOW, np.where(key == ABOVE, ABOVE, inside)))


def _binary(value: Any) -> int:
    """A decision/label key as -1 (missing), 0, 1 or 2 (anything else)."""
    if value is None:
        return -1
    if isinstance(value, float) and math.isnan(value):
        return -1
    if value in (0, 1):
        return int(value)
    return 2


def _keys(values: Sequence[Any]) -> np.ndarray:
    """:func:`_binary` of a column, computed once per distinct value."""
    code = {value: _binary(value) for value in dict.fromkeys(values)}
    return np.fromiter(map(code.__getitem__, values), dtype=np.int64, count=len(values))


def read_cells(
    table: Table,
    spec: CountSpec,
    *,
    progress: ProgressCallback | None = None,
    first: Pass | None = None,
) -> Cells:
    """Run the pass (:func:`run_pass`) and derive every per-cell count from its keys.

    With a score, the cheap pass first; the exact one only when a cell straddles two bins.
    ``first`` is the cheap pass when the caller has run it already.
    """
    if first is None:
        first = run_pass(table, spec, progress=progress)
    plan = first.plan
    k = len(spec.groups)
    keys = k + 1 + (spec.label is not None)  # the decision and label keys as unpacked
    scored = spec.score is not None
    width = keys + 1 + scored * (3 if plan.upper_only else 4)  # b, n, SUM and the extremes
    columns = _columns(first.columns, width, plan.packed, k)
    size = len(columns[0])
    bins = np.full(size, NO_BIN, dtype=np.int64)
    if scored:
        at = keys  # the cell key b, then n, SUM and the extremes
        if plan.upper_only:
            found = _bins_from_maxima(columns[at], columns[at + 3])
        else:
            found = _bins_from_extremes(columns[at], columns[at + 3], columns[at + 4])
        if found is None:
            exact = table.query_columns(
                count_query(table, spec, exact_bins=True, packed=plan.packed),
                progress=progress)
            columns = _columns(exact, keys + 3, plan.packed, k)
            size = len(columns[0])
            found = _decode_bins(columns[at])
        bins = found
    decision = _keys(columns[k])
    label = _keys(columns[k + 1]) if spec.label is not None else None
    counted = keys + scored  # COUNT(*), after the keys and the cell key
    cell_rows = np.array(columns[counted], dtype=np.int64)
    # With a score, NULL only where every score of the cell is: such a cell is unscored, and
    # _derive masks its sum.
    score_sum = _floats(columns[counted + 1]) if scored else np.zeros(size, dtype=np.float64)
    return Cells(
        columns=tuple(tuple(column) for column in columns[:k]),
        bins=np.where(bins == BELOW, 0, np.where(bins == ABOVE, CALIBRATION_BINS - 1, bins)),
        counts=_derive(cell_rows, decision, label, bins, score_sum),
    )


def _columns(
    columns: list[list[Any]], width: int, packed: bool, k: int
) -> list[Sequence[Any]]:
    """The pass's columns laid out as the unpacked pass returns them (``width`` of them): a
    packed ``dy = 2 * decision + label`` key becomes the decision key and the label key."""
    if not columns or not len(columns[0]):
        return [[] for _ in range(width)]
    out: list[Sequence[Any]] = list(columns)
    if packed:
        dy = out[k]
        out[k:k + 1] = [[v >> 1 for v in dy], [v & 1 for v in dy]]
    return out


def _derive(
    size: np.ndarray, decision: np.ndarray, label: np.ndarray | None, bins: np.ndarray,
    score_sum: np.ndarray,
) -> dict[str, np.ndarray]:
    def where(mask: np.ndarray) -> np.ndarray:
        return np.where(mask, size, 0)

    valid = (decision == 0) | (decision == 1)
    chosen = decision == 1
    yes = label == 1 if label is not None else np.zeros(len(size), dtype=bool)
    no = label == 0 if label is not None else np.zeros(len(size), dtype=bool)
    bad_label = (label == 2) if label is not None else np.zeros(len(size), dtype=bool)
    scored = valid & (bins != NO_BIN)
    sums = np.where(scored, score_sum, 0.0)
    return {
        "rows": size,
        "n": where(valid),
        "selected": where(chosen),
        "decision_invalid": where(decision == 2),
        "positives": where(valid & yes),
        "negatives": where(valid & no),
        "label_invalid": where(valid & bad_label),
        "tp": where(chosen & yes),
        "fp": where(chosen & no),
        "scored": where(scored),
        "score_outside": where(scored & ((bins == BELOW) | (bins == ABOVE))),
        "score_sum": sums,
        "cal_n": where(scored & (yes | no)),
        "cal_pos": where(scored & yes),
        "cal_score_sum": np.where(yes | no, sums, 0.0),
    }
