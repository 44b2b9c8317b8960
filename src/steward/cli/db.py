"""``steward db upgrade|status``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from steward.cli.context import Format, emit, open_runtime, operator
from steward.errors import InvalidInput
from steward.services import database

app = typer.Typer(help="The database schema.", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Run every pending migration."""
    runtime = open_runtime(check_schema=False)
    try:
        result = database.upgrade(runtime)
    finally:
        runtime.close()
    typer.echo(f"database at revision {result.current}")


@app.command("status")
def status(fmt: Annotated[Format, typer.Option("--format")] = Format.table) -> None:
    """Show the schema revision and whether it is current."""
    runtime = open_runtime(check_schema=False)
    try:
        result = database.status(runtime)
    finally:
        runtime.close()
    emit({"current": result.current, "head": result.head, "up_to_date": result.up_to_date},
         fmt=fmt)


@app.command("backup")
def backup(out: Annotated[Path, typer.Argument(help="the backup file to write")]) -> None:
    """Back up the whole database while it runs (SQLite backup API, or pg_dump)."""
    runtime = open_runtime()
    try:
        database.backup(runtime, out)
    finally:
        runtime.close()
    typer.echo(f"backup written to {out}")


@app.command("restore")
def restore(
    source: Annotated[Path, typer.Argument(help="a backup made by `steward db backup`")],
    yes: Annotated[bool, typer.Option("--yes", help="confirm: this replaces everything")] = False,
) -> None:
    """Replace the database with a backup; the audit chain must verify afterwards."""
    if not yes:
        raise InvalidInput("restoring replaces every record: add --yes to confirm")
    runtime = open_runtime(check_schema=False)
    try:
        entries = database.restore(runtime, source, actor=operator())
    finally:
        runtime.close()
    typer.echo(f"restored {source}: {entries} audit entries, then the restore itself")
