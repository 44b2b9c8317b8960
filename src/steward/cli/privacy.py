"""``steward privacy``: find PII in customer tables, plan and apply anonymization, measure risk.

``scan`` and ``plan`` read any local Parquet/CSV file, directory or glob; ``anonymize`` writes
the output named by ``--out`` (nothing is written when the plan is refused); ``risk`` exits 1
when the table is not k-anonymous (or not l-diverse) at the figures asked for; ``reveal`` turns
vault tokens back into values for the privacy and legal roles, each one audited.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from steward.cli.context import Format, emit, unit
from steward.cli.files import read_text
from steward.errors import InvalidInput
from steward.services import privacy, users

app = typer.Typer(help="Privacy engineering: PII discovery, anonymization plans, k-anonymity.",
                  no_args_is_help=True)

EXIT_RISK = 1
SCAN_COLUMNS = ("name", "type", "class", "pii_type", "confidence")
REVEAL_COLUMNS = ("token", "column", "value", "vault")


class Backend(StrEnum):
    duckdb = "duckdb"
    spark = "spark"


Data = Annotated[str, typer.Argument(help="a Parquet or CSV file, directory or glob; or a "
                                           "table: duckdb:FILE:TABLE, spark:TABLE, "
                                           "postgresql://…#TABLE",
                                     metavar="DATA")]
BackendOption = Annotated[Backend, typer.Option("--backend", help="duckdb or spark")]


def _columns(text: str) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()]


@app.command("scan")
def scan(
    data: Data,
    sample: Annotated[int, typer.Option("--sample", help="values sampled per column")] = 1000,
    backend: BackendOption = Backend.duckdb,
    fmt: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
) -> None:
    """Each column's PII type, class and confidence, from its name and sampled values."""
    with unit() as work:
        result = privacy.scan(work, source=data, sample=sample, backend=backend.value)
    if fmt is Format.json:
        emit(result, fmt=fmt)
        return
    typer.echo(f"{result['source']}: {result['rows']:,} rows, {len(result['columns'])} columns")
    emit([{**c, "confidence": f"{c['confidence']:.2f}"} for c in result["columns"]],
         fmt=fmt, columns=SCAN_COLUMNS)


@app.command("plan")
def plan(
    data: Data,
    out: Annotated[str, typer.Option("--out", help="where to write the plan (YAML); - for "
                                                   "standard output", metavar="PLAN.yaml")],
    sample: Annotated[int, typer.Option("--sample", help="values sampled per column")] = 1000,
    backend: BackendOption = Backend.duckdb,
    force: Annotated[bool, typer.Option("--force", help="overwrite an existing plan")] = False,
) -> None:
    """Write an editable anonymization plan proposed from the discovery."""
    if out != "-" and Path(out).exists() and not force:
        raise InvalidInput(f"{out} already exists (use --force to overwrite it)")
    with unit() as work:
        result = privacy.make_plan(work, source=data, sample=sample, backend=backend.value)
    if out == "-":
        typer.echo(result["yaml"], nl=False)
        return
    Path(out).write_text(result["yaml"], encoding="utf-8")
    steps = result["plan"]["columns"]
    changed = sum(1 for s in steps.values() if s["transform"] != "keep")
    typer.echo(f"wrote {out}: {changed} of {len(steps)} columns transformed; review it, then run "
               f"steward privacy anonymize {data} --plan {out} --out OUT.parquet", err=True)


def _print_result(result: dict[str, Any]) -> None:
    typer.echo(f"{result['source']} → {result['output']}: {result['rows_in']:,} rows in, "
               f"{result['rows_out']:,} out ({result['suppressed']:,} suppressed), "
               f"{result['seconds']:.1f} s")
    emit([_column_row(c, t, result["utility"].get(c)) for c, t in result["columns"].items()],
         fmt=Format.table, title="Columns (distances between the before and after "
                                 "distributions)")
    for label, report in (("before", result["risk_before"]), ("after", result["risk_after"])):
        if report:
            typer.echo(f"k-anonymity {label}: k = {report['k_anonymity']} over "
                       f"{', '.join(report['quasi_identifiers'])} ({report['classes']:,} "
                       f"classes, {report['rows_in_small_classes']:,} rows in classes < "
                       f"{report['k']})")
    for column, counts in result["redactions"].items():
        typer.echo(f"redacted in {column}: " + ", ".join(f"{n:,} {t}" for t, n in counts.items()))
    for note in result["notes"]:
        typer.echo(f"note: {note}")
    if result.get("vault"):
        vault = result["vault"]
        typer.echo(f"vault: {vault['entries']:,} tokens of {', '.join(vault['columns'])} sealed "
                   f"in {vault['path']} (vault key id {vault['key_id']})")
    typer.echo(f"verdict: {result['verdict']} (policy: {result['policy']['outcome']}); output "
               f"sha256 {result['sha256']}; key id {result['key_id']}")
    if result["evidence"]:
        typer.echo(f"recorded as evidence {result['evidence']['id']} on system "
                   f"{result['evidence']['system_id']}")


def _number(value: float | None, pattern: str = "{:.4f}") -> str:
    return "" if value is None else pattern.format(value)


def _column_row(column: str, transform: str, shift: dict[str, Any] | None) -> dict[str, str]:
    shift = shift or {}
    return {"column": column, "transform": transform,
            "detail lost": _number(shift.get("detail_lost"), "{:.0%}"),
            "mean shift (sd)": _number(shift.get("mean_shift_sd"), "{:.3f}"),
            "PSI": _number(shift.get("psi")), "JS distance": _number(shift.get("js_distance")),
            "note": shift.get("distance_note") or ""}


@app.command("anonymize")
def anonymize(
    data: Data,
    plan_file: Annotated[str, typer.Option("--plan", help="the plan (YAML)", metavar="PLAN")],
    out: Annotated[str, typer.Option("--out", help="the output file (.parquet or .csv)",
                                     metavar="OUT")],
    system: Annotated[int | None, typer.Option(
        "--system", help="record the result as evidence on this AI system", metavar="ID")] =
        None,
    purpose: Annotated[str, typer.Option(
        "--purpose", help="what the data is for (the policy reads it)")] =
        privacy.DEFAULT_PURPOSE,
    backend: BackendOption = Backend.duckdb,
    fmt: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
) -> None:
    """Apply a plan: pseudonymize, generalize, redact; report k-anonymity before and after."""
    document = read_text(plan_file)
    with unit() as work:
        result = privacy.anonymize(work, source=data, plan=document, out=out, system_id=system,
                                   purpose=purpose, backend=backend.value)
    if fmt is Format.json:
        emit(result, fmt=fmt)
    else:
        _print_result(result)


@app.command("risk")
def risk(
    data: Data,
    qi: Annotated[str, typer.Option("--qi", help="quasi-identifier columns, comma-separated",
                                    metavar="COL,COL")],
    k: Annotated[int | None, typer.Option("--k", help="the k to meet (default: the policy's)",
                                          min=1)] = None,
    sensitive: Annotated[str | None, typer.Option(
        "--sensitive", help="sensitive columns for l-diversity, comma-separated",
        metavar="COL")] = None,
    l_target: Annotated[int | None, typer.Option("--l", help="the l to meet", min=1)] = None,
    backend: BackendOption = Backend.duckdb,
    fmt: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
) -> None:
    """k-anonymity (equivalence classes over the quasi-identifiers) and l-diversity.

    Exit status: 0 when the table meets k (and l), 1 when it does not, 2 for bad input.
    """
    with unit() as work:
        report = privacy.assess_risk(work, source=data, quasi_identifiers=_columns(qi), k=k,
                                     sensitive=_columns(sensitive or ""), l_target=l_target,
                                     backend=backend.value)
    if fmt is Format.json:
        emit(report, fmt=fmt)
    else:
        rows = [{"measure": name, "value": report[name]} for name in (
            "rows", "classes", "min_class_size", "k", "rows_in_small_classes", "small_classes",
            "satisfied")]
        rows += [{"measure": f"l-diversity of {column}", "value": v["min_l"]}
                 for column, v in report["l_diversity"].items()]
        emit(rows, fmt=fmt, title=f"Risk over {', '.join(report['quasi_identifiers'])}")
    if not report["satisfied"]:
        raise typer.Exit(EXIT_RISK)


@app.command("reveal")
def reveal(
    tokens: Annotated[list[str], typer.Argument(help="vault tokens (tok_ and 32 hex digits)",
                                                metavar="TOKEN")],
    reason: Annotated[str, typer.Option(
        "--reason", help="why the values are needed (kept in the audit log with each token)")],
    as_user: Annotated[str | None, typer.Option(
        "--as", help="reveal as this user: their roles decide and the audit log names them "
                     "(default: the operator)", metavar="USERNAME")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
) -> None:
    """Turn tokens of tokenized columns back into their values (privacy and legal roles).

    Every token is revealed or none; each one revealed is audited with who, why and which token
    (never the value).
    """
    with unit() as work:
        if as_user:
            work.actor = users.actor_named(work, as_user, via="cli")
        rows = privacy.reveal(work, tokens, reason=reason)
    emit(rows, fmt=fmt, columns=REVEAL_COLUMNS)
