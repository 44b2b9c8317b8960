"""Comparing a current table with a reference (table or profile): :func:`check_drift`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

import numpy as np

from steward.engines.drift._metrics import (
    EXACT_KS_MAX_N,
    bin_counts,
    ecdf_distances,
    js_distance,
    ks_exact,
    ks_pvalue,
    proportions,
    psi,
)
from steward.engines.drift._profile import ColumnProfile, ReferenceProfile, select_columns
from steward.engines.drift._read import ColumnKind, TableReader
from steward.errors import InvalidInput

KIND_MISMATCH = "column {column!r} is numeric in the reference but not in the current table"
BAD_THRESHOLD = "drift threshold {name} must be a number above 0{upper}, got {value!r}"
UNKNOWN_THRESHOLD = "unknown drift threshold {name!r}: use {known}"
NOT_IN_PROFILE = "the reference profile has no column {column!r}"


@dataclass(frozen=True)
class DriftThresholds:
    """When a column, and the whole table, counts as drifted (effect sizes, not p-values)."""

    numeric_wasserstein: float = 0.1
    numeric_psi: float = 0.2
    categorical_js: float = 0.1
    categorical_psi: float = 0.2
    dataset_share: float = 0.5

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            limit = item.name == "dataset_share"
            if (isinstance(value, bool) or not isinstance(value, int | float)
                    or not value > 0 or (limit and value > 1)):
                raise InvalidInput(BAD_THRESHOLD.format(
                    name=item.name, upper=" and at most 1" if limit else "", value=value))

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None) -> DriftThresholds:
        """Thresholds from a policy or monitor setting; keys left out keep their defaults."""
        known = [f.name for f in fields(cls)]
        for name in values or {}:
            if name not in known:
                raise InvalidInput(UNKNOWN_THRESHOLD.format(name=name, known=", ".join(known)))
        return replace(cls(), **dict(values or {}))

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass(frozen=True)
class ColumnStats:
    """The measured differences of one column (``None`` where a statistic does not apply)."""

    column: str
    kind: ColumnKind
    n_reference: int
    n_current: int
    psi: float | None = None
    ks_statistic: float | None = None
    ks_pvalue: float | None = None
    wasserstein_norm: float | None = None
    js_distance: float | None = None
    note: str | None = None

    def drifted(self, thresholds: DriftThresholds) -> bool:
        if self.psi is None:  # a side without values: drifted unless both are empty
            return self.n_reference > 0 or self.n_current > 0
        if self.kind == "numeric":
            return self.psi >= thresholds.numeric_psi or (
                self.wasserstein_norm is not None
                and self.wasserstein_norm >= thresholds.numeric_wasserstein)
        return (self.psi >= thresholds.categorical_psi
                or (self.js_distance or 0.0) >= thresholds.categorical_js)


class DriftReport:
    """Per-column drift and the dataset verdict, computed once from the column statistics.

    ``columns`` lists each column's statistics with its ``drifted`` flag; ``drift_share`` is the
    share of drifted columns and ``dataset_drift`` whether it reaches ``dataset_share``.
    :meth:`rejudge` applies other thresholds without reading data again.
    """

    def __init__(self, stats: Sequence[ColumnStats], thresholds: DriftThresholds | None = None,
                 *, reference: Mapping[str, Any] | None = None,
                 current: Mapping[str, Any] | None = None, exact: bool = True) -> None:
        self.stats = tuple(stats)
        self.thresholds = thresholds or DriftThresholds()
        self.reference = dict(reference or {})
        self.current = dict(current or {})
        self.exact = exact
        self.drifted_columns = tuple(s.column for s in self.stats if s.drifted(self.thresholds))
        self.drift_share = len(self.drifted_columns) / len(self.stats) if self.stats else 0.0
        self.dataset_drift = bool(self.stats) and self.drift_share >= self.thresholds.dataset_share

    def rejudge(self, thresholds: DriftThresholds) -> DriftReport:
        return DriftReport(self.stats, thresholds, reference=self.reference,
                           current=self.current, exact=self.exact)

    @property
    def columns(self) -> list[dict[str, Any]]:
        drifted = set(self.drifted_columns)
        rows = []
        for s in self.stats:
            row = asdict(s)
            row["drifted"] = s.column in drifted
            note = row.pop("note")
            if note:
                row["note"] = note
            rows.append(row)
        return rows

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract: ``columns``, ``drift_share``, ``dataset_drift`` and context."""
        return {"columns": self.columns, "drift_share": self.drift_share,
                "dataset_drift": self.dataset_drift,
                "drifted_columns": list(self.drifted_columns),
                "thresholds": self.thresholds.to_dict(), "ks_exact": self.exact,
                "reference": self.reference, "current": self.current}


def check_drift(reference: Any, current: Any, *, columns: Sequence[str] | None = None,
                thresholds: DriftThresholds | Mapping[str, Any] | None = None) -> DriftReport:
    """Compare a current table with a reference table or a :class:`ReferenceProfile`.

    Parameters
    ----------
    reference
        A Parquet/CSV path (file, glob or directory), a pyarrow ``Table``, or a saved profile.
    current
        A Parquet/CSV path or a pyarrow ``Table``.
    columns
        The columns to compare (default: every column of the reference or profile).
    thresholds
        :class:`DriftThresholds` or a mapping of the ones to change.

    Raises
    ------
    InvalidInput
        For a missing or unreadable table, an empty table, an unknown column, or a column that
        is numeric in the reference and not in the current table.
    """
    if not isinstance(thresholds, DriftThresholds):
        thresholds = DriftThresholds.from_mapping(thresholds)
    profile = reference if isinstance(reference, ReferenceProfile) else None
    ref_reader = None if profile else TableReader(reference, role="reference")
    try:
        if ref_reader is not None:
            ref_reader.require_rows()
        with TableReader(current, role="current") as cur_reader:
            cur_reader.require_rows()
            if profile is not None:
                names = _profile_columns(profile, columns)
            else:
                names = select_columns(ref_reader, columns)  # type: ignore[arg-type]
            for name in names:
                cur_reader.require(name)
            stats = []
            exact = profile.exact if profile else True
            for name in names:
                column = (profile.columns[name] if profile
                          else ColumnProfile.read(ref_reader, name))  # type: ignore[arg-type]
                stats.append(_compare(column, cur_reader))
            ref_info = ({"profile": True, "rows": profile.rows, "source": profile.source}
                        if profile else ref_reader.fingerprint())  # type: ignore[union-attr]
            return DriftReport(stats, thresholds, reference=ref_info,
                               current=cur_reader.fingerprint(), exact=exact)
    finally:
        if ref_reader is not None:
            ref_reader.close()


def _profile_columns(profile: ReferenceProfile, columns: Sequence[str] | None) -> list[str]:
    if not columns:
        return list(profile.columns)
    for column in columns:
        if column not in profile.columns:
            raise InvalidInput(NOT_IN_PROFILE.format(column=column))
    return list(dict.fromkeys(columns))


def _compare(ref: ColumnProfile, reader: TableReader) -> ColumnStats:
    if ref.kind == "categorical":
        return _compare_categorical(ref, reader.counts(ref.name))
    if reader.kinds[ref.name] != "numeric":
        raise InvalidInput(KIND_MISMATCH.format(column=ref.name))
    values = reader.numeric(ref.name)
    values.sort()
    return _compare_numeric(ref, values)


def _empty_side(ref_n: int, cur_n: int) -> str:
    if not ref_n and not cur_n:
        return "no values in either table"
    return "no values in the reference table" if not ref_n else "no values in the current table"


def _compare_categorical(ref: ColumnProfile, counts: dict[str, int]) -> ColumnStats:
    n_cur = sum(counts.values())
    if not ref.count or not n_cur:
        return ColumnStats(ref.name, "categorical", ref.count, n_cur,
                           note=_empty_side(ref.count, n_cur))
    categories = sorted(set(ref.categories) | set(counts))
    p = proportions(np.array([ref.categories.get(c, 0) for c in categories]), ref.count)
    q = proportions(np.array([counts.get(c, 0) for c in categories]), n_cur)
    new = [c for c in categories if c not in ref.categories]
    note = f"{len(new)} new categor{'y' if len(new) == 1 else 'ies'}" if new else None
    return ColumnStats(ref.name, "categorical", ref.count, n_cur, psi=psi(p, q),
                       js_distance=js_distance(p, q), note=note)


def _compare_numeric(ref: ColumnProfile, cur: np.ndarray) -> ColumnStats:
    n_cur = len(cur)
    if not ref.count or not n_cur:
        return ColumnStats(ref.name, "numeric", ref.count, n_cur,
                           note=_empty_side(ref.count, n_cur))
    assert ref.edges is not None and ref.bins is not None and ref.values is not None
    p = proportions(ref.bins, ref.count)
    q = proportions(bin_counts(cur, ref.edges), n_cur)
    statistic, distance = ecdf_distances(np.asarray(ref.values), cur)
    if not ref.sampled and max(ref.count, n_cur) <= EXACT_KS_MAX_N:
        statistic, pvalue = ks_exact(np.asarray(ref.values), cur)
    else:
        pvalue = ks_pvalue(statistic, ref.count, n_cur)
    std = ref.std or 0.0
    note = None
    if std > 0:
        normalized: float | None = distance / std
    else:
        normalized = 0.0 if distance == 0 else None
        note = "constant in the reference: Wasserstein distance not normalized"
    return ColumnStats(ref.name, "numeric", ref.count, n_cur, psi=psi(p, q),
                       ks_statistic=statistic, ks_pvalue=pvalue, wasserstein_norm=normalized,
                       js_distance=js_distance(p, q), note=note)
