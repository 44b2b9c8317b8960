"""``steward db upgrade|status``."""

from __future__ import annotations

from typing import Annotated

import typer

from steward.cli.context import Format, emit, open_runtime
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
