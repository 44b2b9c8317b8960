"""The one pass over the data: counts per cell, on DuckDB or Spark, from one SQL text.

Why one SQL text and not a dataframe API or Ibis: both backends already speak SQL, the pass is
a single ``GROUP BY``, and the subset used here — ``CASE``, ``CAST``, ``FLOOR``, ``isnan``,
``COUNT``, ``SUM``, nested ``SELECT`` — means the same in DuckDB and Spark SQL. The only dialect
differences are how a name is quoted and how an exact DOUBLE is written, and the backend table
supplies both (:meth:`Table.quote`, :meth:`Table.number`). A builder of a few dozen lines is
cheaper to read, test and trust than a translation layer, and adds no import cost to the DuckDB
path.

The query groups by the raw group values (formatted in Python, so no engine-specific casts to
text), the decision (0, 1, invalid or missing), the label (likewise) and the score's
calibration bin, and returns only ``COUNT(*)`` and ``SUM(score)`` per cell. Everything else —
selected, positives, true and false positives, missing and invalid values, calibration — is a
masked sum over these cells in numpy, and every marginal, intersectional and overall table is a
roll-up of them. Grouping by the few decision/label/bin values costs the engine less than a
dozen conditional sums per row. Integer counts are exact on both backends, so results agree to
the last bit apart from sums of scores (floating-point order).

The calibration bin is found in two steps, because the exact bin costs the engine most of a
pass. The pass groups by ``CEIL(s * 10)`` — one multiplication per row — and returns each
cell's ``MIN`` and ``MAX`` score. scikit-learn's bin is monotone in the score, so when a cell's
smallest and largest scores fall in the same bin (computed in numpy, exactly as scikit-learn
does), so does every score between them, and that is the cell's bin. ``CEIL(s * 10)`` misses
the bin only for scores within rounding of an edge (``3 * 0.1``, not ``0.3``: every decimal
score with up to six digits is binned right), and then a cell straddles two bins and the pass
is run again with the exact bin written out in SQL (:func:`_bin_key`). So the result never
depends on the cheap key being right, only on the bins numpy computes from the extremes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from steward.engines.backends import ProgressCallback, Table

CALIBRATION_BINS = 10
NO_BIN, BELOW, ABOVE = -1, -2, CALIBRATION_BINS

INT_FIELDS = (
    "rows", "n", "selected", "decision_invalid", "positives", "negatives", "label_invalid",
    "tp", "fp", "scored", "score_outside", "cal_n", "cal_pos",
)
FLOAT_FIELDS = ("score_sum", "cal_score_sum")
_FLOATING = ("FLOAT", "DOUBLE", "REAL")
_SMALL = ("BOOLEAN", "TINYINT", "UTINYINT")


@dataclass(frozen=True)
class CountSpec:
    """What to count: the columns and how the decision is read."""

    groups: tuple[str, ...]
    decision: str
    threshold: float | None = None
    label: str | None = None
    score: str | None = None


@dataclass(frozen=True)
class Cells:
    """Counts per cell, summed over the decision and label values the query grouped by.

    ``values[i]`` holds the raw group values of cell ``i`` as the backend returned them;
    ``bins`` is its calibration bin (-1 when unscored, or when no score column was given).
    """

    values: tuple[tuple[Any, ...], ...]
    bins: np.ndarray
    counts: dict[str, np.ndarray]


def calibration_edges(bins: int = CALIBRATION_BINS) -> np.ndarray:
    """The bin edges of scikit-learn's ``calibration_curve(strategy="uniform")``."""
    return np.linspace(0.0, 1.0, bins + 1)


def _floating(table: Table, column: str) -> bool:
    return table.columns[column].upper().startswith(_FLOATING)


def _binary_key(table: Table, column: str, name: str) -> str:
    """1, 0, 2 (any other value) or NULL (missing, NaN) for a 0/1 column."""
    if table.columns[column].upper().startswith(_SMALL):
        return f"{name}"  # at most 256 values: group by them as they are
    missing = f"{name} IS NULL OR isnan({name})" if _floating(table, column) else f"{name} IS NULL"
    return (f"CASE WHEN {name} = 1 THEN 1 WHEN {name} = 0 THEN 0 WHEN {missing} THEN NULL "
            f"ELSE 2 END")


def _threshold_key(table: Table, column: str, name: str, threshold: float) -> str:
    """1 when at or above the threshold, 0 below, NULL when missing or NaN."""
    limit = table.number(threshold)
    nan = f"WHEN isnan({name}) THEN NULL " if _floating(table, column) else ""
    return f"CASE {nan}WHEN {name} >= {limit} THEN 1 WHEN {name} < {limit} THEN 0 END"


def _bin_key(table: Table, column: str) -> str:
    """numpy.searchsorted(edges[1:-1], s), i.e. scikit-learn's uniform calibration bin.

    ``c = FLOOR(s * 10)`` is the bin up to rounding; comparing ``s`` with the edges ``c * 0.1``
    and ``(c + 1) * 0.1`` (the very doubles numpy.linspace produces) makes it exact:
    ``c - (s <= c * 0.1) + (s > (c + 1) * 0.1)``, which is -1 for ``s = 0`` and 0..9 for any
    other ``s`` in [0, 1]; :func:`_decode_bins` maps -1 to bin 0. Scores below 0 or above 1
    get -2 and 10, so they can be counted, then join the end bins; NULL (and NaN) stay NULL.
    The comparisons are cast to numbers rather than spelled out as ``CASE`` branches and the
    clamping to [0, 9] happens on the few cells in numpy, not on every row: the engine's pass
    costs about a quarter less than with the bin written out in SQL.
    """
    step = table.number(1.0 / CALIBRATION_BINS)
    c = f"FLOOR(s * {table.number(CALIBRATION_BINS)})"
    nan = "WHEN isnan(s) THEN NULL " if _floating(table, column) else ""
    return (f"CASE {nan}WHEN s < 0 THEN {BELOW} WHEN s > 1 THEN {ABOVE} "
            f"ELSE {c} - CAST(s <= {c} * {step} AS DOUBLE) "
            f"+ CAST(s > ({c} + 1) * {step} AS DOUBLE) END")


def _cell_key(table: Table, column: str) -> str:
    """``CEIL(s * 10)``: puts each score in a cell with the scores of its calibration bin.

    On DuckDB that is all: ``CEIL`` of a DOUBLE is a DOUBLE, so NULL stays NULL and NaN,
    infinities and huge scores get keys of their own. Spark's ``CEIL`` returns a BIGINT, which
    overflows (an error under ANSI mode) and turns NaN into 0, so there NaN is mapped to NULL
    and scores beyond [-1, 2] to two fixed keys first. Either way :func:`_bins_from_extremes`
    decides from each cell's extremes.
    """
    key = f"CEIL(s * {table.number(CALIBRATION_BINS)})"
    if table.backend == "duckdb":
        return key
    nan = "WHEN isnan(s) THEN NULL " if _floating(table, column) else ""
    return (f"CASE {nan}WHEN s < {table.number(-1.0)} THEN -10 "
            f"WHEN s > {table.number(2.0)} THEN 20 ELSE {key} END")


def _bins_from_extremes(
    keys: Sequence[Any], lows: Sequence[Any], highs: Sequence[Any]
) -> np.ndarray | None:
    """Calibration bins of :func:`_cell_key`'s cells from their smallest and largest score.

    NO_BIN for a NULL or NaN key (no score), BELOW or ABOVE when every score of the cell lies
    below 0 or above 1, else the bin both extremes fall in — ``None`` when a cell's extremes
    fall in different bins (or straddle 0 or 1), and only the exact bin will do.
    """
    key = np.array([np.nan if k is None else float(k) for k in keys], dtype=np.float64)
    low = np.array([np.nan if v is None else float(v) for v in lows], dtype=np.float64)
    high = np.array([np.nan if v is None else float(v) for v in highs], dtype=np.float64)
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


def _decode_bins(keys: Sequence[Any]) -> np.ndarray:
    """Calibration bins from :func:`_bin_key`'s keys: NO_BIN, BELOW, 0..9 or ABOVE."""
    key = np.array([np.nan if k is None else k for k in keys], dtype=np.float64)
    inside = np.clip(np.nan_to_num(key), 0, CALIBRATION_BINS - 1).astype(np.int64)
    return np.where(np.isnan(key), NO_BIN, np.where(
        key == BELOW, BELOW, np.where(key == ABOVE, ABOVE, inside)))


def count_query(table: Table, spec: CountSpec, *, exact_bins: bool = False) -> str:
    """The single aggregation query for ``spec``.

    It returns one row per cell: the raw group values ``g0, g1, ...``, the decision key ``dk``,
    the label key ``yk`` and, with a score, the cell key ``b`` (:func:`_cell_key`),
    ``COUNT(*)``, ``SUM(s)``, ``MIN(s)`` and ``MAX(s)``. With ``exact_bins`` ``b`` is the
    calibration bin itself (:func:`_bin_key`) and the extremes are left out.
    """
    q = table.quote
    decision = q(spec.decision)
    if spec.threshold is not None and table.kinds[spec.decision] == "boolean":
        decision = f"CAST({decision} AS INT)"
    inner = [f"{q(col)} AS g{i}" for i, col in enumerate(spec.groups)]
    inner.append(f"{decision} AS d")
    keys = [f"g{i}" for i in range(len(spec.groups))]
    middle = [*keys]
    if spec.threshold is not None:
        middle.append(f"{_threshold_key(table, spec.decision, 'd', spec.threshold)} AS dk")
    else:
        middle.append(f"{_binary_key(table, spec.decision, 'd')} AS dk")
    keys.append("dk")
    if spec.label is not None:
        inner.append(f"{q(spec.label)} AS y")
        middle.append(f"{_binary_key(table, spec.label, 'y')} AS yk")
        keys.append("yk")
    measures = ["COUNT(*) AS n"]
    if spec.score is not None:
        inner.append(f"{q(spec.score)} AS s")
        bin_key = _bin_key if exact_bins else _cell_key
        middle += ["s", f"{bin_key(table, spec.score)} AS b"]
        keys.append("b")
        measures.append("SUM(s) AS score_sum")
        if not exact_bins:
            measures += ["MIN(s) AS score_min", "MAX(s) AS score_max"]
    return (
        f"SELECT {', '.join(keys + measures)}\n"
        f"FROM (SELECT {', '.join(middle)} FROM (SELECT {', '.join(inner)} "
        f"FROM {table.relation}) t) m\n"
        f"GROUP BY {', '.join(keys)}"
    )


def _binary(value: Any) -> int:
    """A decision/label key as -1 (missing), 0, 1 or 2 (anything else)."""
    if value is None:
        return -1
    if isinstance(value, float) and math.isnan(value):
        return -1
    if value in (0, 1):
        return int(value)
    return 2


def _float(value: Any) -> float:
    return 0.0 if value is None else float(value)


def _keys(values: tuple[Any, ...]) -> np.ndarray:
    """:func:`_binary` of a column, computed once per distinct value."""
    code = {value: _binary(value) for value in dict.fromkeys(values)}
    return np.array([code[value] for value in values], dtype=np.int64)


def read_cells(
    table: Table, spec: CountSpec, *, progress: ProgressCallback | None = None
) -> Cells:
    """Run :func:`count_query` and derive every per-cell count from its keys.

    With a score, the cheap pass first; the exact one only when a cell straddles two bins.
    """
    rows = table.query(count_query(table, spec), progress=progress)
    k = len(spec.groups)
    width = k + 2 + (spec.label is not None) + 4 * (spec.score is not None)
    columns = list(zip(*rows, strict=True)) if rows else [()] * width
    position = k
    bins = np.full(len(rows), NO_BIN, dtype=np.int64)
    if spec.score is not None:
        at = position + 1 + (spec.label is not None)
        found = _bins_from_extremes(columns[at], columns[at + 3], columns[at + 4])
        if found is None:
            rows = table.query(count_query(table, spec, exact_bins=True), progress=progress)
            columns = list(zip(*rows, strict=True)) if rows else [()] * (width - 2)
            found = _decode_bins(columns[at])
        bins = found
    decision = _keys(columns[position])
    label = None
    if spec.label is not None:
        position += 1
        label = _keys(columns[position])
    if spec.score is not None:
        position += 1
    size = np.array(columns[position + 1], dtype=np.int64)
    score_sum = np.zeros(len(rows), dtype=np.float64)
    if spec.score is not None:
        score_sum = np.array([_float(value) for value in columns[position + 2]],
                             dtype=np.float64)
    return Cells(
        values=tuple(zip(*columns[:k], strict=True)) if rows else (),
        bins=np.where(bins == BELOW, 0, np.where(bins == ABOVE, CALIBRATION_BINS - 1, bins)),
        counts=_derive(size, decision, label, bins, score_sum),
    )


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


def reference_sql(table: Table, groups: tuple[str, ...], weight: str | None) -> str:
    """Population (row count or summed weights) and row count per combination of groups."""
    q = table.quote
    inner = [f"{q(col)} AS g{i}" for i, col in enumerate(groups)]
    if weight is not None:
        inner.append(f"CAST({q(weight)} AS DOUBLE) AS w")
        measure = "SUM(CASE WHEN w IS NOT NULL AND NOT isnan(w) THEN w ELSE 0 END)"
    else:
        measure = "CAST(COUNT(*) AS DOUBLE)"
    keys = ", ".join(f"g{i}" for i in range(len(groups)))
    return (
        f"SELECT {keys}, {measure} AS population, COUNT(*) AS n "
        f"FROM (SELECT {', '.join(inner)} FROM {table.relation}) t GROUP BY {keys}"
    )
