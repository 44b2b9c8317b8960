"""``steward audit-log verify|export``."""

from __future__ import annotations

from typing import Annotated

import typer

from steward.cli.context import Format, emit, emit_lines, unit
from steward.services import audit_log

app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)


@app.command("verify")
def verify(fmt: Annotated[Format, typer.Option("--format")] = Format.table) -> None:
    """Check the whole hash chain; exit 1 naming the first broken entry."""
    with unit() as work:
        result = audit_log.verify(work)
    if fmt is Format.json:
        emit(result.to_dict(), fmt=fmt)
    elif result.ok:
        typer.echo(f"audit log verified: {result.entries} entries, head {result.head}")
    if not result.ok:
        if fmt is not Format.json:
            typer.echo(f"audit log broken: {result.broken}", err=True)
        raise typer.Exit(1)


@app.command("export")
def export(
    since: Annotated[str | None, typer.Option(help="ISO date or date-time")] = None,
    object_type: Annotated[str | None, typer.Option("--object-type")] = None,
    object_id: Annotated[str | None, typer.Option("--object-id")] = None,
) -> None:
    """Print entries as JSON Lines, oldest first."""
    with unit() as work:
        emit_lines(audit_log.export(work, since=since, object_type=object_type,
                                    object_id=object_id))
