"""Reference profiles: what a later drift check needs from the reference table, stored once.

A profile keeps, per numeric column, the nine decile edges, the reference counts in the ten
bins, the standard deviation, and the sorted values (all of them by default, or ``sample_size``
evenly spaced order statistics); per categorical column, the count of every value. On disk it is
a directory: ``profile.json`` and one ``<n>.npy`` per numeric column, memory-mapped on load.

Precision: edges, bin proportions, PSI and the Jensen-Shannon distance are exact either way.
With all values kept, KS and Wasserstein equal SciPy's on the reference table itself (8 bytes a
value on disk: 8 MB per million rows and column). With ``sample_size=K`` the reference ECDF is
that of K order statistics, which is within 1/(K-1) of the full one everywhere: the KS statistic
is then within 1/(K-1) of the exact one and the Wasserstein distance within
(max - min)/(K-1); the p-value is the asymptotic one for that statistic and the full sizes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from steward.engines.drift._metrics import bin_counts, decile_edges
from steward.engines.drift._read import ColumnKind, TableReader
from steward.errors import InvalidInput

PROFILE_FILE = "profile.json"
PROFILE_FORMAT = 1
BAD_PROFILE = "{path}: not a drift profile ({reason})"
BAD_SAMPLE_SIZE = "sample_size must be at least 100, got {value}"
DUPLICATE_COLUMN = "column {column!r} is named twice"


@dataclass
class ColumnProfile:
    """One reference column: its kind, how many values it has, and what comparisons need."""

    name: str
    kind: ColumnKind
    count: int
    missing: int
    edges: np.ndarray | None = None
    bins: np.ndarray | None = None
    std: float | None = None
    values: np.ndarray | None = None
    sampled: bool = False
    categories: dict[str, int] = field(default_factory=dict)

    @classmethod
    def read(cls, reader: TableReader, name: str, *, sample_size: int | None = None
             ) -> ColumnProfile:
        kind = reader.kinds[name]
        if kind == "categorical":
            categories = reader.counts(name)
            count = sum(categories.values())
            return cls(name, kind, count, reader.rows - count, categories=categories)
        values = reader.numeric(name)
        values.sort()
        count = len(values)
        column = cls(name, kind, count, reader.rows - count)
        if count:
            column.edges = decile_edges(values)
            column.bins = bin_counts(values, column.edges)
            column.std = float(np.std(values))
            if sample_size is not None and count > sample_size:
                ranks = np.round(np.linspace(0, count - 1, sample_size)).astype(np.int64)
                values, column.sampled = values[ranks], True
            column.values = values
        return column

    def summary(self) -> dict[str, Any]:
        record: dict[str, Any] = {"name": self.name, "kind": self.kind, "count": self.count,
                                  "missing": self.missing}
        if self.kind == "numeric" and self.count:
            record.update(edges=[float(e) for e in self.edges],  # type: ignore[union-attr]
                          bins=[int(b) for b in self.bins],  # type: ignore[union-attr]
                          std=self.std, sampled=self.sampled,
                          kept=len(self.values))  # type: ignore[arg-type]
        elif self.kind == "categorical":
            record["categories"] = dict(sorted(self.categories.items()))
        return record


class ReferenceProfile:
    """A profile of a reference table: build it from data, save it, load it, compare against it.

    Examples
    --------
    >>> import pyarrow as pa
    >>> profile = ReferenceProfile.build(pa.table({"x": [1.0, 2.0, 3.0, 4.0]}))
    >>> [round(e, 6) for e in profile.columns["x"].edges[:3]]
    [1.3, 1.6, 1.9]
    """

    def __init__(self, columns: dict[str, ColumnProfile], *, rows: int,
                 source: dict[str, Any] | None = None, sample_size: int | None = None) -> None:
        self.columns = columns
        self.rows = rows
        self.source = source or {}
        self.sample_size = sample_size

    @classmethod
    def build(cls, source: Any, *, columns: Sequence[str] | None = None,
              sample_size: int | None = None) -> ReferenceProfile:
        """Read the reference table once and keep what later checks need."""
        if sample_size is not None and sample_size < 100:
            raise InvalidInput(BAD_SAMPLE_SIZE.format(value=sample_size))
        with TableReader(source, role="reference") as reader:
            reader.require_rows()
            names = select_columns(reader, columns)
            profiled = {n: ColumnProfile.read(reader, n, sample_size=sample_size) for n in names}
            return cls(profiled, rows=reader.rows, source=reader.fingerprint(),
                       sample_size=sample_size)

    @property
    def exact(self) -> bool:
        """Whether every numeric column kept all its values (KS and Wasserstein exact)."""
        return not any(c.sampled for c in self.columns.values())

    def summary(self) -> dict[str, Any]:
        """The profile without its stored values (what an evidence record shows)."""
        return {"format": PROFILE_FORMAT, "rows": self.rows, "source": self.source,
                "sample_size": self.sample_size, "exact": self.exact,
                "columns": [c.summary() for c in self.columns.values()]}

    def save(self, directory: str | os.PathLike[str]) -> Path:
        """Write ``profile.json`` and the sorted values under ``directory``; return its path."""
        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        document = self.summary()
        for index, (column, record) in enumerate(zip(self.columns.values(), document["columns"],
                                                     strict=True)):
            if column.values is not None:
                name = f"{index}.npy"
                np.save(folder / name, column.values, allow_pickle=False)
                record["values_file"] = name
        path = folder / PROFILE_FILE
        path.write_text(json.dumps(document, indent=1), encoding="utf-8")
        return path

    @classmethod
    def load(cls, directory: str | os.PathLike[str]) -> ReferenceProfile:
        """Open a saved profile; the sorted values are memory-mapped, not read into memory."""
        folder = Path(directory)
        if folder.is_file():
            folder = folder.parent
        path = folder / PROFILE_FILE
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            if document.get("format") != PROFILE_FORMAT:
                raise ValueError(f"format {document.get('format')!r}")
            columns = {r["name"]: _column_from(r, folder) for r in document["columns"]}
        except FileNotFoundError as exc:
            raise InvalidInput(BAD_PROFILE.format(path=path, reason=f"missing {exc.filename}")
                               ) from None
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidInput(BAD_PROFILE.format(path=path, reason=exc)) from None
        return cls(columns, rows=int(document["rows"]), source=document.get("source"),
                   sample_size=document.get("sample_size"))


def _column_from(record: dict[str, Any], folder: Path) -> ColumnProfile:
    column = ColumnProfile(record["name"], record["kind"], int(record["count"]),
                           int(record["missing"]))
    if column.kind == "categorical":
        column.categories = {str(k): int(v) for k, v in record["categories"].items()}
    elif column.count:
        column.edges = np.asarray(record["edges"], dtype=np.float64)
        column.bins = np.asarray(record["bins"], dtype=np.int64)
        column.std = float(record["std"])
        column.sampled = bool(record["sampled"])
        column.values = np.load(folder / record["values_file"], mmap_mode="r",
                                allow_pickle=False)
    return column


def select_columns(reader: TableReader, columns: Sequence[str] | None) -> list[str]:
    """The columns asked for (each must exist), or all of the table's."""
    if not columns:
        return list(reader.kinds)
    seen: set[str] = set()
    for column in columns:
        if column in seen:
            raise InvalidInput(DUPLICATE_COLUMN.format(column=column))
        seen.add(column)
        reader.require(column)
    return list(columns)
