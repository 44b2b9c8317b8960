"""``steward report`` (governance reports in HTML or PDF) and ``steward evidence`` (packs).

``steward evidence verify PACK.zip`` needs no database: it exits 0 when every file matches the
manifest and the audit extract chains, and 1 naming each file or audit entry that does not.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from steward.cli.context import Format, emit, unit
from steward.errors import InvalidInput
from steward.services import evidence_packs, reporting

evidence_app = typer.Typer(help="Evidence packs: export one AI system's evidence, verify a pack.",
                           no_args_is_help=True)
EXIT_MISMATCH = 1


class ReportFormat(StrEnum):
    html = "html"
    pdf = "pdf"


def report(
    target: Annotated[str, typer.Argument(help="an AI system's id, or 'portfolio'")],
    fmt: Annotated[ReportFormat, typer.Option("--format")] = ReportFormat.html,
    out: Annotated[Path | None, typer.Option("--out", help="file to write (HTML goes to "
                                                          "standard output without it)")] = None,
) -> None:
    """A governance report: scorecard, record of processing, obligations, audits, incidents."""
    if fmt is ReportFormat.pdf and out is None:
        raise InvalidInput("a PDF report needs --out FILE")
    with unit() as work:
        body = reporting.render(work, target, fmt.value)
    if out is None:
        sys.stdout.write(body.decode("utf-8"))
        return
    out.write_bytes(body)
    typer.echo(f"wrote {out} ({len(body):,} bytes)", err=True)


@evidence_app.command("export")
def export(
    system_id: Annotated[int, typer.Argument(help="the AI system's id")],
    out: Annotated[Path, typer.Option("--out", help="the zip file to write")],
    pdf: Annotated[bool, typer.Option("--pdf", help="include the report as PDF (Chromium)")]
    = False,
) -> None:
    """Export a system's evidence pack: reports, evidence, audit-log extract, manifest."""
    with unit() as work:
        data = evidence_packs.export_pack(work, system_id, with_pdf=pdf)
    out.write_bytes(data)
    typer.echo(f"wrote {out} ({len(data):,} bytes)", err=True)


@evidence_app.command("verify")
def verify(
    pack: Annotated[Path, typer.Argument(help="the evidence pack (.zip)")],
    against_log: Annotated[bool, typer.Option(
        "--against-log", help="also compare every audit entry's hash with this database's "
                              "audit log")] = False,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
) -> None:
    """Check every file against the manifest and the audit extract against its hash chain."""
    if not pack.is_file():
        raise InvalidInput(f"{pack}: no such file")
    check = evidence_packs.verify_pack(pack)
    if against_log and check.ok:
        with unit() as work:
            check.problems.extend(evidence_packs.compare_with_log(work, pack))
    if fmt is Format.json:
        emit(check.to_dict(), fmt=fmt)
    elif check.ok:
        system = check.system or {}
        typer.echo(f"ok: {check.files} files match the manifest; {check.entries} audit entries "
                   f"chain (system {system.get('id')}: {system.get('name')})")
    for problem in check.problems:
        sys.stderr.write(f"mismatch: {problem}\n")
    if not check.ok:
        raise typer.Exit(EXIT_MISMATCH)
