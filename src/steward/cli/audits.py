"""``steward audit``: fairness and inclusivity audits of marketing decisions.

``steward audit fairness`` exits 0 when the verdict is pass or warn, 1 when it is fail, and 2 for
bad input (an unreadable file, an unknown column, a non-binary decision); the verdict is the
engine's, made stricter by the policy in force.
"""

from __future__ import annotations

import sys
import time
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from steward.cli.context import Format, emit, unit
from steward.services import audits
from steward.services.reports import render_fairness_report

app = typer.Typer(help="Audits of AI decisions: fairness and inclusivity across customer groups.",
                  no_args_is_help=True)

EXIT_FAIL = 1
GROUP_COLUMNS = ("group", "n", "rate", "95% CI", "ratio", "judged")
LABEL_COLUMNS = ("tpr", "fpr", "precision")
LIST_COLUMNS = ("id", "system_id", "title", "verdict", "created_at", "created_by",
                "policy_version")


class ReportFormat(StrEnum):
    table = "table"
    json = "json"
    html = "html"


class Backend(StrEnum):
    duckdb = "duckdb"
    spark = "spark"


class _ProgressBar:
    """A rich progress bar on standard error, shown only on a terminal after about a second."""

    def __init__(self, *, delay: float = 1.0) -> None:
        self.enabled = sys.stderr.isatty()
        self.started = time.monotonic()
        self.delay = delay
        self.bar: Progress | None = None
        self.task: Any = None

    def __call__(self, stage: str, fraction: float) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            if time.monotonic() - self.started < self.delay:
                return
            self.bar = Progress(TextColumn("{task.description}"), BarColumn(),
                                TextColumn("{task.percentage:>3.0f}%"), TimeElapsedColumn(),
                                console=Console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task(stage, total=1.0)
        self.bar.update(self.task, completed=max(0.0, min(1.0, fraction)), description=stage)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _cell(value: Any) -> Any:
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, list) and len(value) == 2 and all(
            v is None or isinstance(v, float) for v in value):
        return "–".join("" if v is None else f"{v:.3f}" for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return value


def _rows(entries: list[dict[str, Any]], *, with_label: bool) -> list[dict[str, Any]]:
    rows = []
    for e in entries:
        row = {"group": _cell(e["group"]), "n": e["n"], "rate": _cell(e["selection_rate"]),
               "95% CI": _cell(e["selection_rate_ci"]), "ratio": _cell(e["selection_rate_ratio"]),
               "judged": "yes" if e["judged"] else "no"}
        if with_label:
            row.update({k: _cell(e.get(k)) for k in LABEL_COLUMNS})
        rows.append(row)
    return rows


def _print_table(result: dict[str, Any]) -> None:
    scope = result["scope"]
    typer.echo(f"Fairness audit of {scope['source']}: {result['rows']:,} rows, judged by policy "
               f"version {result['policy']['version']}")
    with_label = result["options"].get("label") is not None
    columns = [*GROUP_COLUMNS, *(LABEL_COLUMNS if with_label else ())]
    emit(_rows(result["groups"], with_label=with_label), fmt=Format.table, columns=columns,
         title="Groups")
    if result["intersections"]:
        emit(_rows(result["intersections"], with_label=with_label), fmt=Format.table,
             columns=columns, title="Intersections")
    problems = [f for f in result["findings"] if f["verdict"] != "pass"]
    if problems:
        emit([{"verdict": f["verdict"], "check": f["metric"], "finding": f["reason"]}
              for f in problems], fmt=Format.table, title="Findings")
    typer.echo(f"verdict: {result['verdict']} (measurements: {result['engine_verdict']}; "
               f"policy: {result['policy']['outcome']})")
    if result["evidence"]:
        where = (f" on system {result['evidence']['system_id']}"
                 if result["evidence"]["system_id"] else "")
        typer.echo(f"recorded as evidence {result['evidence']['id']}{where}")
    change = result["comparison"]
    if change:
        ratios = "; ".join(
            f"{column} {_cell(r['previous'])} → {_cell(r['current'])}"
            for column, r in change["worst_selection_rate_ratio"].items())
        typer.echo(f"previous audit {change['previous_id']}: {change['previous_verdict']} → "
                   f"{change['verdict']} ({change['verdict_change']}); lowest ratios: {ratios}")


@app.command("fairness")
def fairness(
    data: Annotated[str, typer.Argument(
        help="the decision table: a Parquet or CSV file, directory or glob, or "
             "duckdb:FILE:TABLE, spark:TABLE, postgresql://…#TABLE", metavar="DATA")],
    group: Annotated[list[str], typer.Option(
        "--group", help="a group column (repeat for several)", metavar="COL")],
    decision: Annotated[str, typer.Option(
        "--decision", help="the decision column: 0/1, or a score with --threshold",
        metavar="COL")],
    threshold: Annotated[float | None, typer.Option(
        "--threshold", help="treat the decision as a score: selected when >= X",
        metavar="X")] = None,
    label: Annotated[str | None, typer.Option(
        "--label", help="the outcome column (0/1): error rates and equalized odds",
        metavar="COL")] = None,
    score: Annotated[str | None, typer.Option(
        "--score", help="a score column in [0, 1]: mean score and calibration",
        metavar="COL")] = None,
    intersections: Annotated[bool, typer.Option(
        "--intersections", help="also audit every combination of the group columns")] = False,
    reference: Annotated[str | None, typer.Option(
        "--reference", help="the population to compare reach against (default: every row)",
        metavar="TABLE")] = None,
    min_group_size: Annotated[int | None, typer.Option(
        "--min-group-size", help="smaller groups are reported, not judged (default: the "
                                 "policy's fairness.min_group_size)", metavar="N")] = None,
    system: Annotated[int | None, typer.Option(
        "--system", help="record the audit as evidence on this AI system and compare it with "
                         "the previous one", metavar="ID")] = None,
    group_note: Annotated[str | None, typer.Option(
        "--group-note", help="how the group data was obtained (shown in the report)",
        metavar="TEXT")] = None,
    backend: Annotated[Backend, typer.Option("--backend", help="duckdb or spark")] =
        Backend.duckdb,
    fmt: Annotated[ReportFormat, typer.Option(
        "--format", help="table, json, or html (a printable report)")] = ReportFormat.table,
) -> None:
    """Audit who a decision selected, by group; judged by the policy in force.

    Exit status: 0 when the verdict is pass or warn, 1 when it is fail, 2 for bad input.
    """
    bar = _ProgressBar()
    try:
        with unit() as work:
            result = audits.run_fairness_audit(
                work, source=data, groups=group, decision=decision, threshold=threshold,
                label=label, score=score, intersections=intersections, reference=reference,
                min_group_size=min_group_size, system_id=system, backend=backend.value,
                progress=bar, group_data_note=group_note)
    finally:
        bar.close()
    if fmt is ReportFormat.json:
        emit(result, fmt=Format.json)
    elif fmt is ReportFormat.html:
        sys.stdout.write(render_fairness_report(result))
    else:
        _print_table(result)
    if result["verdict"] == "fail":
        raise typer.Exit(EXIT_FAIL)


@app.command("list")
def list_audits(
    system: Annotated[int | None, typer.Option("--system", help="one AI system's audits")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
) -> None:
    """Stored fairness audits, newest first."""
    with unit() as work:
        rows = audits.list_audits(work, system_id=system)
    emit(rows, fmt=fmt, columns=LIST_COLUMNS)


@app.command("show")
def show(
    evidence_id: Annotated[int, typer.Argument(help="the audit's evidence id")],
    fmt: Annotated[ReportFormat, typer.Option(
        "--format", help="table, json, or html (a printable report)")] = ReportFormat.table,
) -> None:
    """A stored fairness audit, with its comparison to the system's previous one."""
    with unit() as work:
        record = audits.get_audit(work, evidence_id)
    if fmt is ReportFormat.html:
        sys.stdout.write(render_fairness_report(record))
    elif fmt is ReportFormat.json:
        emit(record, fmt=Format.json)
    else:
        result = {**record["payload"], "evidence": {k: v for k, v in record.items()
                                                    if k not in ("payload", "comparison")},
                  "comparison": record["comparison"]}
        result.setdefault("engine_verdict", result["verdict"])
        _print_table(result)
