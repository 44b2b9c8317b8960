"""``steward consent``: consent strings."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from steward.cli.context import Format, emit, emit_lines
from steward.services import consent

app = typer.Typer(help="Consent: IAB TCF v2.2 and GPP strings.", no_args_is_help=True)


@app.command("decode")
def decode(
    strings: Annotated[list[str], typer.Argument(help="TC or GPP strings, or - to read one per "
                                                      "line from standard input")],
    fmt: Annotated[Format, typer.Option("--format")] = Format.json,
) -> None:
    """Decode TC and GPP strings: JSON Lines, one object per string, in input order."""
    source = ([line for line in sys.stdin.read().splitlines() if line.strip()]
              if strings == ["-"] else strings)
    failed = 0
    for outcome in consent.decode_strings(source):
        if outcome.error is not None:
            failed += 1
            typer.echo(f"error: string {outcome.index}: {outcome.error}", err=True)
            continue
        if fmt is Format.json:
            emit_lines([outcome.fields])
        else:
            emit([{"field": k, "value": v} for k, v in outcome.fields.items()], fmt=fmt,
                 title=f"string {outcome.index}")
    if failed:
        raise typer.Exit(2)
