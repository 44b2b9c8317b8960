"""``steward systems``: the AI system inventory."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
import yaml

from steward.cli.context import Format, emit, unit
from steward.cli.files import read_mapping, read_text
from steward.errors import InvalidInput
from steward.services import systems, systems_transfer

app = typer.Typer(help="The AI system inventory.", no_args_is_help=True)
LIST_COLUMNS = ("id", "name", "stage", "tier", "risk_score", "owner", "vendor", "ai_kinds")
OBLIGATION_COLUMNS = ("id", "status", "stage", "party", "applies_from", "title")
FormatOpt = Annotated[Format, typer.Option("--format", help="table or json")]


@app.command("list")
def list_(
    stage: Annotated[str | None, typer.Option(help="proposed, pilot, production, …")] = None,
    tier: Annotated[str | None, typer.Option(help="prohibited, high, limited, minimal")] = None,
    owner: Annotated[str | None, typer.Option(help="owner's username")] = None,
    vendor: Annotated[str | None, typer.Option(help="vendor name (substring)")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """List systems, optionally filtered."""
    with unit() as work:
        rows = systems.list_systems(work, stage=stage, tier=tier, owner=owner, vendor=vendor)
    emit(rows, fmt=fmt, columns=LIST_COLUMNS)


@app.command("show")
def show(system_id: int, fmt: FormatOpt = Format.table) -> None:
    """Show one system with its obligations."""
    with unit() as work:
        record = systems.get_system(work, system_id)
    if fmt is Format.json:
        emit(record, fmt=fmt)
        return
    obligations = record.pop("obligations")
    emit([{"field": k, "value": v} for k, v in record.items()], fmt=fmt)
    emit(obligations, fmt=fmt, columns=OBLIGATION_COLUMNS, title="Obligations")


@app.command("create")
def create(file: Annotated[str, typer.Argument(help="YAML or JSON describing the system")],
           fmt: FormatOpt = Format.table) -> None:
    """Register a system described in a YAML or JSON file."""
    data = read_mapping(file)
    with unit() as work:
        record = systems.create_system(work, data)
    emit(record, fmt=fmt, columns=LIST_COLUMNS)


def _parse_sets(pairs: list[str]) -> dict[str, object]:
    changes: dict[str, object] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise InvalidInput(f"--set expects FIELD=VALUE, got {pair!r}")
        try:
            changes[key.strip()] = yaml.safe_load(raw) if raw.strip() else ""
        except yaml.YAMLError:
            changes[key.strip()] = raw
    return changes


@app.command("update")
def update(
    system_id: int,
    file: Annotated[str | None,
                    typer.Option("--file", help="YAML/JSON with fields to change")] = None,
    sets: Annotated[list[str] | None,
                    typer.Option("--set", help="FIELD=VALUE (YAML value)")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Change fields of a system, from a file and/or --set FIELD=VALUE."""
    changes: dict[str, object] = read_mapping(file) if file else {}
    changes.update(_parse_sets(sets or []))
    with unit() as work:
        record = systems.update_system(work, system_id, changes)
    emit(record, fmt=fmt, columns=LIST_COLUMNS)


@app.command("retire")
def retire(system_id: int,
           reason: Annotated[str, typer.Option(help="why the system is retired")]) -> None:
    """Retire a system (its record and history stay)."""
    with unit() as work:
        systems.retire_system(work, system_id, reason=reason)
    typer.echo(f"retired AI system {system_id}")


@app.command("classify")
def classify(system_id: int,
             answers: Annotated[str, typer.Argument(help="the risk questionnaire answers (YAML)")],
             fmt: FormatOpt = Format.table) -> None:
    """Classify a system from answers; its obligations follow the result."""
    data = read_mapping(answers)
    with unit() as work:
        result = systems.classify_system(work, system_id, data)
    if fmt is Format.json:
        emit(result, fmt=fmt)
        return
    classification = result["classification"]
    typer.echo(f"{result['system']['name']}: tier {classification['tier']}, "
               f"risk score {classification['risk_score']}")
    for reason in classification["reasons"]:
        typer.echo(f"  - {reason}")
    emit(result["system"]["obligations"], fmt=fmt, columns=OBLIGATION_COLUMNS,
         title="Obligations")


@app.command("obligations")
def obligations(system_id: int, fmt: FormatOpt = Format.table) -> None:
    """List a system's obligations and their status."""
    with unit() as work:
        rows = systems.get_system(work, system_id)["obligations"]
    emit(rows, fmt=fmt, columns=OBLIGATION_COLUMNS)


@app.command("obligation")
def obligation(
    system_id: int,
    obligation_id: str,
    status: Annotated[str, typer.Option(help="open, met or waived")],
    reason: Annotated[str | None, typer.Option(help="why it is waived")] = None,
    evidence: Annotated[str | None, typer.Option(help="link to the evidence")] = None,
    due: Annotated[str | None, typer.Option(help="due date (ISO)")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Mark an obligation met, waive it with a reason, or reopen it."""
    due_date = None
    if due:
        try:
            due_date = date.fromisoformat(due)
        except ValueError:
            raise InvalidInput(f"--due must be an ISO date, got {due!r}") from None
    with unit() as work:
        record = systems.decide_obligation(work, system_id, obligation_id, status=status,
                                           reason=reason, evidence_link=evidence,
                                           due_date=due_date)
    emit(record, fmt=fmt, columns=OBLIGATION_COLUMNS)


@app.command("import")
def import_(file: Annotated[str, typer.Argument(help="a CSV or JSON inventory")]) -> None:
    """Create or update systems from CSV or JSON (matched by name); all rows or none."""
    text = read_text(file)
    is_csv = file.lower().endswith(".csv") or (file == "-" and text.lstrip()[:1] not in "[{")
    rows = systems_transfer.parse_csv(text) if is_csv else systems_transfer.parse_json(text)
    with unit() as work:
        counts = systems_transfer.import_systems(work, rows)
    typer.echo(f"imported: {counts['created']} created, {counts['updated']} updated")


@app.command("export")
def export(
    fmt: Annotated[str, typer.Option("--format", help="csv or json")] = "csv",
    out: Annotated[Path | None,
                   typer.Option("--out", help="file to write (default: stdout)")] = None,
) -> None:
    """Export the whole inventory."""
    with unit() as work:
        text = systems_transfer.export_systems(work, fmt=fmt)
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {out}", err=True)
