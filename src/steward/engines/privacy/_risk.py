"""Re-identification risk: k-anonymity and l-diversity by one GROUP BY, and utility.

An *equivalence class* is the set of rows sharing one combination of quasi-identifier values
(``NULL`` is a value like any other, as in SQL's ``GROUP BY``). A table is k-anonymous when every
class has at least k rows; its k is the smallest class size. For each sensitive column, a class's
l is its number of distinct non-null values; the table's l is the smallest. Everything is computed
by the backend in one aggregation over the classes, so the figures equal a plain
``GROUP BY`` of the same columns.

The utility summary sets each column's profile before and after side by side, with the PSI and
Jensen-Shannon distance between its two distributions (:mod:`._distance`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from steward.engines.backends import Table
from steward.engines.privacy._distance import distances
from steward.engines.privacy._plan import Drop, Step
from steward.errors import InvalidInput


@dataclass(frozen=True)
class RiskReport:
    k: int
    quasi_identifiers: tuple[str, ...]
    rows: int
    classes: int
    min_class_size: int | None
    rows_in_small_classes: int
    small_classes: int
    sensitive: dict[str, dict[str, Any]] = field(default_factory=dict)
    l_target: int | None = None

    @property
    def k_anonymity(self) -> int:
        return self.min_class_size or 0

    @property
    def satisfied(self) -> bool:
        ok = self.rows == 0 or (self.min_class_size or 0) >= self.k
        if self.l_target is not None:
            ok = ok and all((s["min_l"] or 0) >= self.l_target for s in self.sensitive.values())
        return ok

    def to_dict(self) -> dict[str, Any]:
        return {
            "k": self.k, "quasi_identifiers": list(self.quasi_identifiers), "rows": self.rows,
            "classes": self.classes, "min_class_size": self.min_class_size,
            "k_anonymity": self.k_anonymity,
            "rows_in_small_classes": self.rows_in_small_classes,
            "small_classes": self.small_classes,
            "share_in_small_classes": (self.rows_in_small_classes / self.rows) if self.rows
            else 0.0,
            "max_reidentification_risk": (1 / self.min_class_size) if self.min_class_size
            else None,
            "average_reidentification_risk": (self.classes / self.rows) if self.rows else None,
            "l_diversity": dict(self.sensitive), "l": self.l_target,
            "satisfied": self.satisfied,
        }


def k_anonymity(table: Table, quasi_identifiers: Sequence[str], *, k: int,
                sensitive: Sequence[str] = (), l_target: int | None = None) -> RiskReport:
    """Equivalence classes over ``quasi_identifiers``: sizes, the smallest, rows in classes
    smaller than ``k``, and each sensitive column's l-diversity.

    >>> import pyarrow as pa
    >>> from steward.engines.backends import open_table
    >>> t = pa.table({"zip": ["021", "021", "100"], "age": ["30-39"] * 3, "d": ["a", "b", "a"]})
    >>> with open_table(t) as table:
    ...     r = k_anonymity(table, ["zip", "age"], k=2, sensitive=["d"])
    >>> (r.classes, r.min_class_size, r.rows_in_small_classes, r.sensitive["d"]["min_l"])
    (2, 1, 1, 1)
    """
    if k < 1:
        raise InvalidInput("k must be at least 1")
    if not quasi_identifiers:
        raise InvalidInput("name at least one quasi-identifier column")
    table.require_columns([*quasi_identifiers, *sensitive])
    q = table.quote
    groups = ", ".join(q(c) for c in quasi_identifiers)
    distincts = "".join(f", COUNT(DISTINCT {q(s)}) AS l{i}" for i, s in enumerate(sensitive))
    small = f"CASE WHEN n < {int(k)} THEN"
    l_aggs = "".join(
        f", MIN(l{i}), SUM(CASE WHEN l{i} < {int(l_target or 2)} THEN 1 ELSE 0 END)"
        for i in range(len(sensitive)))
    sql = (f"SELECT COUNT(*), MIN(n), SUM({small} n ELSE 0 END), SUM({small} 1 ELSE 0 END), "
           f"SUM(n){l_aggs} FROM (SELECT COUNT(*) AS n{distincts} FROM {table.relation} "
           f"GROUP BY {groups}) AS classes")
    row = table.query(sql)[0]
    classes, min_n, small_rows, small_classes, rows = (int(row[0]), row[1], row[2], row[3],
                                                       row[4])
    report_l = {}
    for i, name in enumerate(sensitive):
        low, below = row[5 + 2 * i], row[6 + 2 * i]
        report_l[name] = {"min_l": int(low) if low is not None else None,
                          "classes_below_l": int(below or 0),
                          "l": int(l_target or 2)}
    return RiskReport(
        k=int(k), quasi_identifiers=tuple(quasi_identifiers), rows=int(rows or 0),
        classes=classes, min_class_size=int(min_n) if min_n is not None else None,
        rows_in_small_classes=int(small_rows or 0), small_classes=int(small_classes or 0),
        sensitive=report_l, l_target=l_target)


def _profile(table: Table, columns: Sequence[str]) -> dict[str, dict[str, Any]]:
    if not columns:
        return {}
    q = table.quote
    parts = []
    for c in columns:
        numeric = table.kinds.get(c) == "numeric"
        parts.append(f"approx_count_distinct({q(c)})")
        parts.append(f"SUM(CASE WHEN {q(c)} IS NULL THEN 1 ELSE 0 END)")
        if numeric:
            value = f"CAST({q(c)} AS DOUBLE)"
            parts += [f"AVG({value})", f"STDDEV_POP({value})", f"MIN({value})",
                      f"MAX({value})"]
    row = table.query(f"SELECT COUNT(*), {', '.join(parts)} FROM {table.relation}")[0]
    rows = int(row[0]) or 1
    out: dict[str, dict[str, Any]] = {}
    i = 1
    for c in columns:
        entry: dict[str, Any] = {"distinct": int(row[i]), "null_share": float(row[i + 1]) / rows}
        i += 2
        if table.kinds.get(c) == "numeric":
            entry.update({"mean": row[i], "std": row[i + 1], "min": row[i + 2],
                          "max": row[i + 3]})
            i += 4
        out[c] = entry
    return out


def utility(before: Table, after: Table, transforms: dict[str, str], *,
            steps: Mapping[str, Step] | None = None) -> dict[str, Any]:
    """Per column kept in the output: distinct values (approximate, HyperLogLog), null share
    and (for numbers) mean, standard deviation and range before and after, with the shift of
    the mean in standard deviations, the share of detail lost (1 - distinct after / distinct
    before), and ``psi`` and ``js_distance`` between the before and after distributions
    (``compared``: ``deciles``, ``categories``, or ``None`` where no comparison is meaningful).

    ``steps`` are the plan's steps: a generalized column's before side is compared through its
    step (see :mod:`._distance`); without them, only the columns ``transforms`` marks ``keep``
    are compared.
    """
    shared = [c for c in after.columns if c in before.columns]
    old, new = _profile(before, shared), _profile(after, shared)
    if steps is None:
        steps = {c: Drop(transform="drop") for c, t in transforms.items() if t != "keep"}
    distinct = {c: new[c]["distinct"] if c in steps and steps[c].transform == "generalize"
                else max(old[c]["distinct"], new[c]["distinct"]) for c in shared}
    moved = distances(before, after, steps, shared, distinct=distinct)
    summary: dict[str, Any] = {}
    for c in shared:
        a, b = old[c], new[c]
        entry: dict[str, Any] = {"transform": transforms.get(c, "keep"), "before": a, "after": b,
                                 "detail_lost": (1 - b["distinct"] / a["distinct"])
                                 if a["distinct"] else 0.0}
        if "mean" in a and "mean" in b and a["mean"] is not None and b["mean"] is not None:
            std = a["std"] or 0.0
            entry["mean_shift_sd"] = (b["mean"] - a["mean"]) / std if std else 0.0
        entry.update(moved[c])
        summary[c] = entry
    return summary
