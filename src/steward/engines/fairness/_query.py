"""The one pass over the data as SQL text: the same query on DuckDB and on Spark.

Why one SQL text and not a dataframe API or Ibis: both backends already speak SQL, the pass is
a single ``GROUP BY``, and the subset used here — ``CASE``, ``CAST``, ``CEIL``, ``FLOOR``,
``isnan``, ``COUNT``, ``SUM``, ``MIN``, ``MAX``, nested ``SELECT`` — means the same in DuckDB and
Spark SQL. The dialect differences are how a name is quoted and how an exact DOUBLE is written,
which the backend table supplies (:meth:`Table.quote`, :meth:`Table.number`), and Spark's
``CEIL`` returning a BIGINT (:func:`_cell_key`). A builder of a few dozen lines is cheaper to
read, test and trust than a translation layer, and adds no import cost to the DuckDB path.

The query groups by the raw group values (formatted in Python, so no engine-specific casts to
text), the decision (0, 1, invalid or missing), the label (likewise) and the score's
calibration cell, and returns only ``COUNT(*)``, ``SUM(score)`` and the cell's smallest and
largest score. Everything else — selected, positives, true and false positives, missing and
invalid values, calibration — is a masked sum over these cells in numpy
(:mod:`._counts`), and every marginal, intersectional and overall table is a roll-up of them.
Grouping by the few decision/label/bin values costs the engine less than a dozen conditional
sums per row. Integer counts are exact on both backends, so results agree to the last bit apart
from sums of scores (floating-point order).

The calibration bin is found in two steps, because the exact bin costs the engine a third of a
pass. The pass groups by ``CEIL(s * 10)`` — one multiplication per row — and returns each
cell's ``MIN`` and ``MAX`` score. scikit-learn's bin is monotone in the score, so when a cell's
smallest and largest scores fall in the same bin (computed in numpy, exactly as scikit-learn
does), so does every score between them, and that is the cell's bin. ``CEIL(s * 10)`` misses
the bin only for scores within rounding of an edge (``3 * 0.1``, not ``0.3``: every decimal
score with up to six digits is binned right) and for scores in (-0.1, 0) beside a 0, and then a
cell straddles two bins and the pass is run again with the exact bin written out in SQL
(:func:`_bin_key`). So the result never depends on the cheap key being right, only on the bins
numpy computes from the extremes.

Where the source's own metadata proves the decision and the label to be 0/1 with no NULL —
the statistics in Parquet footers (:meth:`Table.column_statistics`), read in a few milliseconds
— the two are grouped as one key, ``2 * decision + label`` (:func:`plan_pass`): one key fewer
costs the engine about a tenth less per row, and no cell can then mix a missing value with a
present one. Anything unproven (CSV, in-memory tables, Spark, a NULL or a 2 anywhere, floating
columns) keeps the two keys. Likewise, scores proven to lie in [0, 1] are keyed so that only a
cell's largest score needs checking (:func:`_shifted_cell_key`): the pass returns ``MAX`` and
not ``MIN``, another tenth less work.

This module imports neither numpy nor the modules that derive the audit, so that
:func:`~steward.engines.fairness.audit_fairness` can start the pass first and load them while
the engine reads the table (:class:`BackgroundQuery`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from steward.engines.backends import INTEGER_TYPES, ColumnStatistics, ProgressCallback, Table

T = TypeVar("T")

CALIBRATION_BINS = 10
NO_BIN, BELOW, ABOVE = -1, -2, CALIBRATION_BINS
SHIFTED_SCALE = CALIBRATION_BINS * (1.0 - 1e-13)  # :func:`_shifted_cell_key`

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
    other ``s`` in [0, 1]; :func:`._counts._decode_bins` maps -1 to bin 0. Scores below 0 or above 1
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
    and scores beyond [-1, 2] to two fixed keys first. Either way
    :func:`._counts._bins_from_extremes` decides from each cell's extremes.
    """
    key = f"CEIL(s * {table.number(CALIBRATION_BINS)})"
    if table.backend == "duckdb":
        return key
    nan = "WHEN isnan(s) THEN NULL " if _floating(table, column) else ""
    return (f"CASE {nan}WHEN s < {table.number(-1.0)} THEN -10 "
            f"WHEN s > {table.number(2.0)} THEN 20 ELSE {key} END")


def _shifted_cell_key(table: Table) -> str:
    """``CEIL(s * 9.999999999999)``, for scores proven to lie in [0, 1] (:func:`plan_pass`).

    Scaling by a hair less than 10 (by 1e-13, a thousand times the product's rounding error)
    puts every score of a cell keyed ``c`` above the edge ``(c - 1) / 10`` — by at least
    ``(c - 1) * 1e-14``, where the edges numpy computes and the rounding of the product differ
    from it by ~1e-16 — so that only a cell's upper end can miss its bin: a score within
    ~1e-13 above the edge ``c / 10``. One ``MAX`` per cell then tells
    (:func:`._counts._bins_from_maxima`), where :func:`_cell_key` needs ``MIN`` as well, at the
    same cost per row as :func:`_cell_key`'s key. A cell that misses runs the exact pass.
    """
    return f"CEIL(s * {table.number(SHIFTED_SCALE)})"


def count_query(table: Table, spec: CountSpec, *, exact_bins: bool = False,
                packed: bool = False, upper_only: bool = False) -> str:
    """The single aggregation query for ``spec``.

    It returns one row per cell: the raw group values ``g0, g1, ...``, the decision key ``dk``,
    the label key ``yk`` and, with a score, the cell key ``b`` (:func:`_cell_key`),
    ``COUNT(*)``, ``SUM(s)``, ``MIN(s)`` and ``MAX(s)``. With ``exact_bins`` ``b`` is the
    calibration bin itself (:func:`_bin_key`) and the extremes are left out. With ``packed``
    (only for a decision and a label that :func:`plan_pass` proved to be 0/1 without NULLs) the
    two keys are one, ``dy = 2 * decision + label``: one grouping key fewer costs the engine
    about a tenth of the pass. With ``upper_only`` (only for scores proven to lie in [0, 1]) ``b``
    is :func:`_shifted_cell_key` and only ``MAX(s)`` is returned, as ``score_max``.
    """
    q = table.quote
    decision = q(spec.decision)
    if spec.threshold is not None and table.kinds[spec.decision] == "boolean":
        decision = f"CAST({decision} AS INT)"
    inner = [f"{q(col)} AS g{i}" for i, col in enumerate(spec.groups)]
    inner.append(f"{decision} AS d")
    keys = [f"g{i}" for i in range(len(spec.groups))]
    middle = [*keys]
    if packed:
        if spec.threshold is not None or spec.label is None:
            raise ValueError("only a 0/1 decision with a 0/1 label can be packed")
        inner.append(f"{q(spec.label)} AS y")
        middle.append(f"{_as_int(table, spec.decision, 'd')} * 2 + "
                      f"{_as_int(table, spec.label, 'y')} AS dy")
        keys.append("dy")
    else:
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
        if exact_bins:
            bin_key = _bin_key(table, spec.score)
        elif upper_only:
            bin_key = _shifted_cell_key(table)
        else:
            bin_key = _cell_key(table, spec.score)
        middle += ["s", f"{bin_key} AS b"]
        keys.append("b")
        measures.append("SUM(s) AS score_sum")
        if upper_only and not exact_bins:
            measures.append("MAX(s) AS score_max")
        elif not exact_bins:
            measures += ["MIN(s) AS score_min", "MAX(s) AS score_max"]
    return (
        f"SELECT {', '.join(keys + measures)}\n"
        f"FROM (SELECT {', '.join(middle)} FROM (SELECT {', '.join(inner)} "
        f"FROM {table.relation}) t) m\n"
        f"GROUP BY {', '.join(keys)}"
    )


def _as_int(table: Table, column: str, name: str) -> str:
    return f"CAST({name} AS INT)" if table.kinds[column] == "boolean" else name


def _proven_unit(column: str, stats: Mapping[str, ColumnStatistics]) -> bool:
    """Every value (NULL and NaN aside, which get keys of their own) in [0, 1]."""
    found = stats.get(column)
    return (found is not None and found.low is not None and found.high is not None
            and found.low >= 0 and found.high <= 1)


def _proven_binary(table: Table, column: str, stats: Mapping[str, ColumnStatistics]) -> bool:
    """Only 0 and 1 (or booleans), and no NULL: an integer or boolean column whose metadata
    bounds it to [0, 1]."""
    found = stats.get(column)
    if found is None or not found.no_nulls:
        return False
    kind = table.columns[column].upper()
    return kind == "BOOLEAN" or (kind.startswith(INTEGER_TYPES) and _proven_unit(column, stats))


@dataclass(frozen=True)
class PassPlan:
    """How the pass keys its cells, from what the source's metadata proves.

    ``packed``: the decision and the label are one key (both proven 0/1 without NULLs, so no
    cell mixes a missing value with a present one). ``upper_only``: the scores are proven to
    lie in [0, 1], so :func:`_shifted_cell_key` and ``MAX`` alone place them in their bins.
    """

    packed: bool = False
    upper_only: bool = False


def plan_pass(table: Table, spec: CountSpec) -> PassPlan:
    """:class:`PassPlan` for ``spec`` on ``table`` (:meth:`Table.column_statistics`)."""
    binary = ((spec.decision, spec.label) if spec.threshold is None and spec.label is not None
              else ())
    wanted = [*binary, *([spec.score] if spec.score is not None else [])]
    if not wanted:
        return PassPlan()
    stats = table.column_statistics(wanted)
    return PassPlan(
        packed=bool(binary) and all(_proven_binary(table, c, stats) for c in binary),
        upper_only=spec.score is not None and _proven_unit(spec.score, stats),
    )


@dataclass(frozen=True)
class Pass:
    """The pass's result, column by column, and how it keyed its cells."""

    columns: list[list[Any]]
    plan: PassPlan = PassPlan()


def run_pass(table: Table, spec: CountSpec, *, plan: PassPlan | None = None,
             progress: ProgressCallback | None = None) -> Pass:
    """:func:`count_query` on ``table``, keyed as ``plan`` (by default :func:`plan_pass`)
    allows."""
    if plan is None:
        plan = plan_pass(table, spec)
    sql = count_query(table, spec, packed=plan.packed, upper_only=plan.upper_only)
    return Pass(table.query_columns(sql, progress=progress), plan)


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


class BackgroundQuery(Generic[T]):
    """Work on a table run in a thread (engines release the GIL while they read): a query's
    SQL, or a function of no arguments; :meth:`result` waits for its result and re-raises its
    error.

    When the wait itself is interrupted (Ctrl-C reaches the main thread, not the query's), the
    query is interrupted too and waited for, so that the table is never closed under it.
    """

    def __init__(
        self, table: Table, work: str | Callable[[], T], *,
        progress: ProgressCallback | None = None,
    ) -> None:
        self._table = table
        self._work: Callable[[], Any] = (
            (lambda: table.query(work, progress=progress)) if isinstance(work, str) else work)
        self._value: Any = None
        self._done = False
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="steward-pass", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._work()
            self._done = True
        except BaseException as error:  # noqa: BLE001 - handed to the caller in result()
            self._error = error

    def cancel(self) -> None:
        """Interrupt the query and wait for its thread (its rows or error are dropped)."""
        self._table.interrupt()
        self._thread.join()

    def result(self) -> T:
        try:
            self._thread.join()
        except BaseException:
            self.cancel()
            raise
        if self._error is not None:
            raise self._error
        assert self._done
        return self._value  # type: ignore[no-any-return]
