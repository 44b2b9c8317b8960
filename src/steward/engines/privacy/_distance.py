"""How far each column's distribution moved between the table before and after anonymization.

The figures are the drift engine's, by the same definitions (:mod:`steward.engines.drift`):
a numeric column is cut into ten bins at the deciles of the *before* values
(``numpy.quantile(before, [0.1, ..., 0.9])``, bin *i* holding values in (edge *i-1*, edge *i*]),
a categorical column has one bin per value seen on either side; bin proportions are floored at
1e-4; ``psi`` = sum of (after - before) * ln(after / before) and ``js_distance`` is the
Jensen-Shannon distance, base 2, of the same proportions. Missing values (nulls, NaN,
infinities) are left out. The drift engine's own functions compute them from the bin counts.

Unlike the drift engine, which reads every value into NumPy, the deciles and bin counts here
are aggregation queries on the backend (``quantile_cont`` on DuckDB and ``percentile`` on Spark,
both NumPy's linear interpolation), so the summary costs a few scans whatever the table's size.

Which columns. A distribution comparison is meaningful where the output keeps the column's
values or a coarser version of them: ``keep``, ``top_bottom``, ``noise`` (numeric when the column
is numeric on both sides, categorical otherwise) and ``generalize``. A generalized column is
compared *at the output's granularity*: the before side is the raw column put through the same
step, so the distance shows what suppressing small classes did to the distribution, while the
utility summary's ``detail_lost`` shows what the coarsening took away. Pseudonyms, tokens,
masks, redactions and dropped columns are not compared (their values are new labels, not a
distribution to keep). A categorical column with more than :data:`MAX_CATEGORIES` distinct
values is left out with a note: one bin per value says nothing there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from steward.engines.backends import Table
from steward.engines.drift import DECILES, js_distance, proportions, psi
from steward.engines.privacy._plan import Generalize, Step
from steward.engines.privacy._sql import expression

COMPARED = ("keep", "generalize", "top_bottom", "noise")
MAX_CATEGORIES = 10_000
NOT_COMPARED = None


def _finite(table: Table, value: str) -> str:
    if table.backend == "duckdb":
        return f"isfinite({value})"
    return f"(NOT isnan({value}) AND abs({value}) < CAST('Infinity' AS DOUBLE))"


def _quantiles(table: Table, value: str) -> str:
    if table.backend == "duckdb":
        levels = ", ".join(repr(d) for d in DECILES)
        return f"quantile_cont({value}, [{levels}])"
    levels = ", ".join(table.number(d) for d in DECILES)
    return f"percentile({value}, array({levels}))"


def _double(table: Table, column: str) -> str:
    return f"CAST({table.quote(column)} AS DOUBLE)"


def _edges(before: Table, columns: Sequence[str]) -> dict[str, np.ndarray | None]:
    """The nine deciles of each numeric column's finite before values (``None`` if it has none)."""
    if not columns:
        return {}
    parts = []
    for c in columns:
        value = _double(before, c)
        parts.append(_quantiles(before, f"CASE WHEN {_finite(before, value)} THEN {value} END"))
    row = before.query(f"SELECT {', '.join(parts)} FROM {before.relation}")[0]
    return {c: (np.asarray(row[i], dtype=np.float64) if row[i] is not None else None)
            for i, c in enumerate(columns)}


def _bins(table: Table, edges: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Counts in the bins ``(-inf, e1], ..., (e9, +inf)`` of each column's finite values."""
    if not edges:
        return {}
    parts = []
    for c, cuts in edges.items():
        value = _double(table, c)
        finite = _finite(table, value)
        parts += [f"SUM(CASE WHEN {finite} AND {value} <= {table.number(float(e))} THEN 1 "
                  f"ELSE 0 END)" for e in cuts]
        parts.append(f"SUM(CASE WHEN {finite} THEN 1 ELSE 0 END)")
    row = table.query(f"SELECT {', '.join(parts)} FROM {table.relation}")[0]
    out, i = {}, 0
    for c, cuts in edges.items():
        cumulative = [int(v or 0) for v in row[i:i + len(cuts) + 1]]
        out[c] = np.diff(np.array([0, *cumulative], dtype=np.int64))
        i += len(cuts) + 1
    return out


def _categories(table: Table, value: str) -> dict[str, int]:
    text = f"CAST({value} AS STRING)"
    rows = table.query(f"SELECT {text}, COUNT(*) FROM {table.relation} WHERE {value} IS NOT NULL "
                       f"GROUP BY {text}")
    return {str(k): int(n) for k, n in rows}


def _measured(p_counts: np.ndarray, q_counts: np.ndarray, compared: str) -> dict[str, Any]:
    n_before, n_after = int(p_counts.sum()), int(q_counts.sum())
    if not n_before or not n_after:
        side = "either side" if not n_before and not n_after else \
            "the table before" if not n_before else "the output"
        return {"psi": None, "js_distance": None, "compared": compared,
                "distance_note": f"no values in {side}"}
    p, q = proportions(p_counts, n_before), proportions(q_counts, n_after)
    return {"psi": psi(p, q), "js_distance": js_distance(p, q), "compared": compared}


def _skipped(note: str | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"psi": None, "js_distance": None, "compared": NOT_COMPARED}
    if note:
        entry["distance_note"] = note
    return entry


def distances(before: Table, after: Table, steps: Mapping[str, Step], columns: Sequence[str],
              *, distinct: Mapping[str, int] | None = None) -> dict[str, dict[str, Any]]:
    """Per column of ``columns`` (present in both tables): ``psi``, ``js_distance`` and how it was
    compared (``deciles``, ``categories`` or ``None``, with a ``distance_note`` saying why not).

    ``steps`` are the plan's steps (a column it does not name is kept); ``distinct`` the
    approximate distinct counts already measured, to leave out columns with too many categories
    before grouping them.
    """
    distinct = distinct or {}
    numeric: list[str] = []
    categorical: dict[str, str] = {}
    out: dict[str, dict[str, Any]] = {}
    for c in columns:
        step = steps.get(c)
        transform = step.transform if step is not None else "keep"
        if transform not in COMPARED:
            out[c] = _skipped(None)
        elif not isinstance(step, Generalize) and before.kinds.get(c) == "numeric" and \
                after.kinds.get(c) == "numeric":
            numeric.append(c)
        elif transform in ("top_bottom", "noise"):
            out[c] = _skipped("not numeric before the transformation")
        elif distinct.get(c, 0) > MAX_CATEGORIES:
            out[c] = _skipped(f"more than {MAX_CATEGORIES:,} categories")
        else:
            q = before.quote(c)
            categorical[c] = (expression(before.backend, q, step, kind=before.kinds[c])
                              if isinstance(step, Generalize) else q) or q
    edges = _edges(before, numeric)
    usable = {c: e for c, e in edges.items() if e is not None}
    old, new = _bins(before, usable), _bins(after, usable)
    for c in numeric:
        if c in usable:
            out[c] = _measured(old[c], new[c], "deciles")
        else:
            count = _bins(after, {c: np.zeros(0)})[c]
            out[c] = _measured(np.zeros(1, dtype=np.int64), count, "deciles")
    for c, value in categorical.items():
        ref, cur = _categories(before, value), _categories(after, after.quote(c))
        names = sorted(set(ref) | set(cur))
        out[c] = _measured(np.array([ref.get(n, 0) for n in names], dtype=np.int64),
                           np.array([cur.get(n, 0) for n in names], dtype=np.int64),
                           "categories")
    return {c: out[c] for c in columns}
