"""Opening the runtime for a command, and rendering its output as a table or JSON.

The runtime (SQLAlchemy, settings) and rich are imported when first used, so a command that
needs neither a database nor a table — ``steward monitor drift REF CUR --format json`` — does not
pay for them at start-up.
"""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from steward.services.runtime import Actor, Runtime, Unit


class Format(StrEnum):
    table = "table"
    json = "json"


def operator() -> Actor:
    from steward.services.runtime import Actor

    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "operator"
    return Actor.operator(name)


def open_runtime(*, check_schema: bool = True) -> Runtime:
    from steward.config import load_settings
    from steward.services.runtime import Runtime

    runtime = Runtime(load_settings())
    if check_schema:
        runtime.check_schema()
    return runtime


@contextmanager
def unit() -> Iterator[Unit]:
    """One unit of work for the local operator."""
    runtime = open_runtime()
    try:
        with runtime.unit(operator()) as work:
            yield work
    finally:
        runtime.close()


def json_bytes(value: Any) -> bytes:
    """Indented JSON for people and machines, by orjson (results of large audits are megabytes
    of numbers); anything it does not know — dates included — is written as ``str()`` gives
    it, as before."""
    import orjson

    options = (orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
               | orjson.OPT_PASSTHROUGH_DATACLASS)
    return orjson.dumps(value, default=str, option=options)


def emit(rows: Sequence[dict[str, Any]] | dict[str, Any], *, fmt: Format,
         columns: Sequence[str] | None = None, title: str | None = None) -> None:
    """Print rows (or one object) as a table for people or as JSON for machines."""
    if fmt is Format.json:
        sys.stdout.write(json_bytes(rows).decode("utf-8") + "\n")
        return
    from rich.console import Console
    from rich.table import Table

    items = [rows] if isinstance(rows, dict) else list(rows)
    console = Console(soft_wrap=True)
    if not items:
        console.print("(none)")
        return
    cols = list(columns or items[0].keys())
    table = Table(title=title, show_lines=False)
    for col in cols:
        table.add_column(col)
    for row in items:
        table.add_row(*[_cell(row.get(col)) for col in cols])
    console.print(table)


def emit_lines(records: Iterable[dict[str, Any]]) -> None:
    """JSON Lines, one record per line."""
    out = sys.stdout
    for record in records:
        out.write(json.dumps(record, sort_keys=True, default=str) + "\n")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple | set):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, default=str)
    return str(value)
