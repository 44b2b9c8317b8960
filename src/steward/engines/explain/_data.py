"""Reading the rows to explain: a sample for the global picture, and one person's row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from steward.engines.backends import open_table
from steward.errors import InvalidInput

ID_CANDIDATES = ("customer_id", "person_id", "user_id", "id", "row_id")
NO_ID_COLUMN = ("no id column to find row {row!r} by: name one with id_column "
                "(looked for {candidates})")
ROW_NOT_FOUND = "no row with {column} = {row!r} in the data"
MISSING_FEATURES = "the data lacks the model's feature columns: {columns}"
UNKNOWN_FEATURES = ("the model does not name its features (it was not fitted on a table with "
                    "column names) and the data has {have} columns besides the id, the model "
                    "takes {want}: give the feature columns")
EMPTY_DATA = "the data has no rows"


def pick_id_column(columns: Sequence[str], features: Sequence[str] | None,
                   id_column: str | None) -> str | None:
    """The column that identifies a person: the one named, else a usual name not a feature."""
    if id_column:
        if id_column not in columns:
            raise InvalidInput(f"id column {id_column!r} is not in the data")
        return id_column
    taken = set(features or ())
    return next((c for c in ID_CANDIDATES if c in columns and c not in taken), None)


def pick_features(columns: Sequence[str], features: Sequence[str] | None, id_column: str | None,
                  n_features: int | None) -> list[str]:
    if features is not None:
        missing = [f for f in features if f not in columns]
        if missing:
            raise InvalidInput(MISSING_FEATURES.format(columns=", ".join(missing)))
        return list(features)
    rest = [c for c in columns if c != id_column]
    if n_features is not None and len(rest) != n_features:
        raise InvalidInput(UNKNOWN_FEATURES.format(have=len(rest), want=n_features))
    return rest


def _literal(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        raise InvalidInput(f"row id {value!r} must be a number or a string")
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def read_rows(source: Any, *, features: Sequence[str] | None, id_column: str | None,
              n_features: int | None, sample: int, seed: int,
              row: Any = None) -> tuple[Any, Any, str | None, int, dict[str, Any] | None]:
    """A sample of rows (pandas), the person's row (or None), the id column, the row count and
    the data's fingerprint. Paths and Arrow tables are read through DuckDB, sampled in SQL."""
    import pandas as pd

    if isinstance(source, pd.DataFrame):
        columns = [str(c) for c in source.columns]
        ident = pick_id_column(columns, features, id_column)
        chosen = pick_features(columns, features, ident, n_features)
        keep = [*([ident] if ident else []), *chosen]
        frame = source[keep].reset_index(drop=True)
        total = len(frame)
        sampled = frame.sample(n=min(sample, total), random_state=seed) if total > sample \
            else frame
        person = _person(frame, ident, row)
        return sampled.reset_index(drop=True), person, ident, total, None
    with open_table(source) as table:
        columns = list(table.columns)
        ident = pick_id_column(columns, features, id_column)
        chosen = pick_features(columns, features, ident, n_features)
        keep = [*([ident] if ident else []), *chosen]
        names = ", ".join(table.quote(c) for c in keep)
        total = int(table.query(f"SELECT COUNT(*) FROM {table.relation}")[0][0])
        sql = f"SELECT {names} FROM {table.relation}"
        if total > sample:
            sql += f" USING SAMPLE reservoir({int(sample)} ROWS) REPEATABLE ({int(seed)})"
        sampled = pd.DataFrame(table.query(sql), columns=keep)
        person = None
        if row is not None:
            if ident is None:
                raise InvalidInput(NO_ID_COLUMN.format(row=row, candidates=", ".join(
                    ID_CANDIDATES)))
            found = table.query(f"SELECT {names} FROM {table.relation} WHERE "
                                f"CAST({table.quote(ident)} AS VARCHAR) = "
                                f"{_literal(str(row))} LIMIT 1")
            if not found:
                raise InvalidInput(ROW_NOT_FOUND.format(column=ident, row=row))
            person = pd.DataFrame(found, columns=keep)
        fingerprint = table.fingerprint(rows=total).to_dict()
    if total == 0:
        raise InvalidInput(EMPTY_DATA)
    return sampled, person, ident, total, fingerprint


def _person(frame: Any, ident: str | None, row: Any) -> Any:
    if row is None:
        return None
    if ident is None:
        raise InvalidInput(NO_ID_COLUMN.format(row=row, candidates=", ".join(ID_CANDIDATES)))
    match = frame[frame[ident].astype(str) == str(row)]
    if match.empty:
        raise InvalidInput(ROW_NOT_FOUND.format(column=ident, row=row))
    return match.head(1).reset_index(drop=True)
