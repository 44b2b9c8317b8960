"""``steward consent``: consent strings, the consent ledger, checks, audiences and rights."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from steward.cli.context import Format, emit, emit_lines, unit
from steward.cli.files import read_mapping
from steward.errors import InvalidInput
from steward.services import consent, consent_audience, consent_ingest, consent_rights

app = typer.Typer(help="Consent: the ledger, checks, audience filters and people's rights; "
                       "IAB TCF v2.2 and GPP strings.", no_args_is_help=True)
FormatOpt = Annotated[Format, typer.Option("--format", help="table or json")]
STATE_COLUMNS = ("purpose", "allowed", "reason", "status", "lawful_basis", "source",
                 "jurisdiction", "since")
EXIT_REFUSED = 1


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


@app.command("purposes")
def purposes(fmt: FormatOpt = Format.table) -> None:
    """Steward's consent purposes with their fideslang data uses, TCF purposes and rules."""
    with unit() as work:
        rows = consent.list_purposes(work)
    emit(rows, fmt=fmt, columns=("key", "title", "tcf_purposes", "gpc", "profiling", "bases",
                                 "rules"))


@app.command("define-purpose")
def define_purpose(file: Annotated[str, typer.Argument(help="YAML/JSON describing a purpose")],
                   fmt: FormatOpt = Format.table) -> None:
    """Add or change a consent purpose (key, title, data_uses, tcf_purposes, rules, …)."""
    data = read_mapping(file)
    with unit() as work:
        emit(consent.define_purpose(work, data), fmt=fmt)


@app.command("record")
def record(
    subject: Annotated[str, typer.Argument(help="e-mail address or customer id")],
    purpose: Annotated[str | None, typer.Option(help="the purpose (not with --string)")] = None,
    status: Annotated[str | None, typer.Option(help="granted, denied or withdrawn")] = None,
    string: Annotated[str | None, typer.Option("--string", help="a TC or GPP string")] = None,
    gpc: Annotated[bool, typer.Option("--gpc", help="the person sent Sec-GPC: 1")] = False,
    basis: Annotated[str, typer.Option("--basis", help="lawful basis")] = "consent",
    source: Annotated[str, typer.Option(help="web_form, cmp, import, api, gpc")] = "api",
    notice: Annotated[str | None, typer.Option(help="the notice shown")] = None,
    notice_version: Annotated[str | None, typer.Option(help="its version")] = None,
    jurisdiction: Annotated[str | None, typer.Option(help="EU, UK, US-CA, …")] = None,
    occurred_at: Annotated[str | None, typer.Option(help="ISO 8601 time (default now)")] = None,
    key: Annotated[str | None, typer.Option("--idempotency-key")] = None,
    fmt: FormatOpt = Format.json,
) -> None:
    """Record one consent event, a consent string's events, or a GPC signal; print receipts."""
    with unit() as work:
        if string is not None:
            results = consent.record_string(work, subject, string, jurisdiction=jurisdiction,
                                            occurred_at=occurred_at, idempotency_key=key,
                                            gpc=gpc)
        elif purpose is not None and status is not None:
            results = consent.record_events(work, [{
                "subject": subject, "purpose": purpose, "status": status, "lawful_basis": basis,
                "source": source, "notice": notice, "notice_version": notice_version,
                "jurisdiction": jurisdiction, "occurred_at": occurred_at,
                "idempotency_key": key}], gpc=gpc)
        elif gpc:
            results = consent.record_gpc(work, subject, jurisdiction=jurisdiction)
        else:
            raise InvalidInput("give --purpose and --status, --string, or --gpc")
    emit(results, fmt=fmt, columns=("event_id", "purpose", "status", "source", "created"))


@app.command("ingest")
def ingest(
    file: Annotated[Path, typer.Argument(help="CSV, JSON Lines or Parquet file")],
    strings: Annotated[bool, typer.Option("--strings", help="the file holds TC/GPP strings "
                                                            "(subject, consent_string)")] = False,
    jurisdiction: Annotated[str | None, typer.Option(help="for rows that give none")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Import a file of consent events (or of TC/GPP strings); importing twice adds nothing."""
    with unit() as work:
        result = consent_ingest.ingest_file(work, file, kind="strings" if strings else "events",
                                            default_jurisdiction=jurisdiction)
    emit(result, fmt=fmt)


@app.command("show")
def show(subject: str,
         purpose: Annotated[str | None, typer.Option(help="one purpose (default all)")] = None,
         jurisdiction: Annotated[str | None, typer.Option(help="judge for this place")] = None,
         fmt: FormatOpt = Format.table) -> None:
    """The current consent state of a person, purpose by purpose."""
    with unit() as work:
        result = consent.lookup(work, subject, purpose=purpose, jurisdiction=jurisdiction)
    if fmt is Format.json:
        emit(result, fmt=fmt)
        return
    emit(result["purposes"], fmt=fmt, columns=STATE_COLUMNS, title=f"subject {result['subject']}")


@app.command("check")
def check(subject: str,
          system: Annotated[int, typer.Option("--system", help="AI system id")],
          jurisdiction: Annotated[str | None, typer.Option(help="judge for this place")] = None,
          fmt: FormatOpt = Format.table) -> None:
    """May this person be processed by this system, and why? Exit 1 when not."""
    with unit() as work:
        result = consent.check(work, subject, system_id=system, jurisdiction=jurisdiction)
    if fmt is Format.json:
        emit(result, fmt=fmt)
    else:
        verdict = "ALLOWED" if result["allowed"] else "NOT ALLOWED"
        typer.echo(f"{verdict}: {result['system']} ({result['explanation']})")
        emit(result["purposes"], fmt=fmt, columns=STATE_COLUMNS)
    if not result["allowed"]:
        raise typer.Exit(EXIT_REFUSED)


@app.command("filter")
def filter_(
    audience: Annotated[str, typer.Argument(help="Parquet or CSV file, directory or glob; or a "
                                                 "table: duckdb:FILE:TABLE, spark:TABLE, "
                                                 "postgresql://…#TABLE")],
    out: Annotated[Path, typer.Option("--out", help="allowed rows (.parquet or .csv)")],
    system: Annotated[int | None, typer.Option("--system", help="AI system id")] = None,
    purpose: Annotated[str | None, typer.Option("--purpose", help="one purpose")] = None,
    denied: Annotated[Path | None, typer.Option("--denied", help="refused rows with "
                                                                 "consent_reason")] = None,
    subject_column: Annotated[str, typer.Option("--subject-column")] = "subject",
    jurisdiction_column: Annotated[str | None, typer.Option("--jurisdiction-column")] = None,
    hashed: Annotated[bool, typer.Option("--hashed", help="the subject column already holds "
                                                          "Steward subject keys")] = False,
    backend: Annotated[str, typer.Option(help="duckdb or spark")] = "duckdb",
    criteria: Annotated[str, typer.Option(help="comma-separated fideslang categories the "
                                               "audience was selected on")] = "",
    fmt: FormatOpt = Format.table,
) -> None:
    """Keep only the people who may be processed; count the others by reason. Exit 1 when the
    policy blocks the audience."""
    with unit() as work:
        result = consent_audience.filter_audience(
            work, audience, subject_column=subject_column, system_id=system, purpose=purpose,
            allowed_out=out, denied_out=denied, jurisdiction_column=jurisdiction_column,
            hashed=hashed, backend=backend, name=Path(audience).name,
            criteria=[c.strip() for c in criteria.split(",") if c.strip()])
    if fmt is Format.json:
        emit(result, fmt=fmt)
    else:
        rows = [{"reason": "allowed", "rows": result["allowed"]}] + [
            {"reason": r, "rows": n} for r, n in result["by_reason"].items()]
        emit(rows, fmt=fmt, title=f"{result['audience']}: {result['allowed']} of "
                                  f"{result['rows']} allowed; policy {result['verdict']} "
                                  f"(version {result['policy_version']})")
    if result["verdict"] == "block":
        raise typer.Exit(EXIT_REFUSED)


@app.command("receipt")
def receipt(event_id: int, fmt: FormatOpt = Format.json) -> None:
    """The signed receipt of one consent event."""
    with unit() as work:
        emit(consent.receipt(work, event_id), fmt=fmt)


@app.command("export")
def export(subject: str,
           out: Annotated[Path | None, typer.Option("--out", help="file (default stdout)")] = None
           ) -> None:
    """Everything the ledger holds on a person (a subject access request), as JSON."""
    import json

    with unit() as work:
        record_ = consent_rights.export_subject(work, subject)
    text = json.dumps(record_, indent=2, default=str) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")


@app.command("erase")
def erase(subject: str,
          reason: Annotated[str, typer.Option(help="why (the request it answers)")],
          request: Annotated[str | None, typer.Option("--request", help="request reference")]
          = None,
          fmt: FormatOpt = Format.table) -> None:
    """Erase a person from the ledger, keeping only the record of the erasure."""
    with unit() as work:
        emit(consent_rights.erase_subject(work, subject, reason=reason, request_ref=request),
             fmt=fmt)


@app.command("opt-out")
def opt_out(
    file: Annotated[Path, typer.Argument(help="CSV/Parquet with a subject column, or a text "
                                              "file with one identifier per line")],
    purpose: Annotated[list[str] | None, typer.Option("--purpose", help="repeat; default all")]
    = None,
    status: Annotated[str, typer.Option(help="withdrawn or denied")] = "withdrawn",
    subject_column: Annotated[str, typer.Option("--subject-column")] = "subject",
    jurisdiction: Annotated[str | None, typer.Option()] = None,
    occurred_at: Annotated[str | None, typer.Option(
        "--occurred-at", help="when the people opted out (ISO 8601; default now): the same "
                              "file opted out again at the same time adds nothing")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Record opt-outs in bulk for everyone in a file."""
    with unit() as work:
        emit(consent_rights.bulk_opt_out(work, file, purposes=purpose or [], status=status,
                                         subject_column=subject_column,
                                         jurisdiction=jurisdiction, occurred_at=occurred_at),
             fmt=fmt)
