"""``steward monitor``: drift checks, reference profiles, monitors and their alerts.

``steward monitor drift`` exits 0 without dataset drift, 1 with it, 2 for bad input;
``steward monitor run`` exits 1 when it raised an alert (for cron and orchestrators).

The services that need the database are imported inside the commands that use them, so a drift
check between files starts without SQLAlchemy (the drift benchmark measures the whole process).
"""

from __future__ import annotations

import time
from typing import Annotated, Any

import typer

from steward.cli.context import Format, emit, unit
from steward.errors import InvalidInput
from steward.services import drift_files

app = typer.Typer(help="Monitoring: data drift, reference profiles, scheduled checks, alerts.",
                  no_args_is_help=True)
FormatOpt = Annotated[Format, typer.Option("--format", help="table or json")]
ColumnsOpt = Annotated[str | None, typer.Option(
    "--columns", help="comma-separated columns to compare (default: all of the reference)")]
ThresholdOpt = Annotated[list[str] | None, typer.Option(
    "--threshold", help="NAME=VALUE, e.g. numeric_psi=0.25 or dataset_share=0.3 (repeatable)")]
EveryOpt = Annotated[int, typer.Option("--every", help="minutes between checks")]
IncidentOpt = Annotated[bool, typer.Option(
    "--incident/--no-incident", help="ask for an incident when it alerts")]
DRIFT_COLUMNS = ("column", "kind", "psi", "ks_statistic", "ks_pvalue", "wasserstein_norm",
                 "js_distance", "drifted")
MONITOR_COLUMNS = ("id", "system", "name", "kind", "every_minutes", "enabled", "next_run_at",
                   "last_status", "current_path")
ALERT_COLUMNS = ("id", "created_at", "severity", "status", "system", "message")
PROFILE_COLUMNS = ("id", "system_id", "title", "created_at", "created_by", "file_path")
RUN_COLUMNS = ("monitor_id", "monitor", "kind", "system_id", "status", "alert_id", "message")


def _columns(text: str | None) -> list[str] | None:
    if not text:
        return None
    names = [c.strip() for c in text.split(",") if c.strip()]
    return names or None


def _thresholds(pairs: list[str] | None) -> dict[str, float]:
    values: dict[str, float] = {}
    for pair in pairs or []:
        name, sep, raw = pair.partition("=")
        try:
            values[name.strip()] = float(raw)
        except ValueError:
            sep = ""
        if not sep or not name.strip():
            raise InvalidInput(f"--threshold expects NAME=NUMBER, got {pair!r}")
    return values


def _round(value: Any) -> Any:
    return f"{value:.4g}" if isinstance(value, float) else value


@app.command("drift")
def drift(
    tables: Annotated[list[str], typer.Argument(
        help="REF CUR (two tables: files, duckdb:FILE:TABLE or postgresql://…#TABLE), "
             "or CUR alone with --profile", metavar="[REF] CUR")],
    profile: Annotated[str | None, typer.Option(
        "--profile", help="a stored profile (name or id), or a profile directory")] = None,
    system: Annotated[int | None, typer.Option(
        "--system", help="record the result as evidence on this AI system")] = None,
    columns: ColumnsOpt = None,
    threshold: ThresholdOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Compare a current table with a reference table or profile; exit 1 on dataset drift."""
    if len(tables) not in (1, 2) or (len(tables) == 1) != (profile is not None):
        raise InvalidInput("give REF CUR, or CUR with --profile")
    current = tables[-1]
    cols, limits = _columns(columns), _thresholds(threshold)
    reference: str | None = tables[0] if len(tables) == 2 else None
    if system is None and (reference is not None or drift_files.is_profile_folder(str(profile))):
        result = drift_files.compare(reference or str(profile), current, columns=cols,
                                     thresholds=limits)
    else:
        from steward.services import monitor

        with unit() as work:
            result = monitor.run_drift_check(work, current=current, reference=reference,
                                             profile=profile, system_id=system, columns=cols,
                                             thresholds=limits)
    if fmt is Format.json:
        emit({k: result[k] for k in ("columns", "drift_share", "dataset_drift",
                                     "drifted_columns", "thresholds", "ks_exact", "evidence")
              if k in result}, fmt=fmt)
    else:
        rows = [{k: _round(v) for k, v in row.items()} for row in result["columns"]]
        emit(rows, fmt=fmt, columns=DRIFT_COLUMNS)
        verdict = "dataset drift" if result["dataset_drift"] else "no dataset drift"
        typer.echo(f"{len(result['drifted_columns'])} of {len(rows)} columns drifted "
                   f"(share {result['drift_share']:.2f}): {verdict}")
    if result["dataset_drift"]:
        raise typer.Exit(1)


@app.command("profile")
def profile(
    reference: Annotated[str, typer.Argument(
        help="the reference table (Parquet, CSV, duckdb:FILE:TABLE or postgresql://…#TABLE)")],
    system: Annotated[int, typer.Option("--system", help="the AI system it belongs to")],
    name: Annotated[str, typer.Option("--name", help="a name to check against later")],
    columns: ColumnsOpt = None,
    sample_size: Annotated[int | None, typer.Option(
        "--sample-size", help="keep this many order statistics per numeric column instead of "
                              "every value (smaller; KS and Wasserstein then approximate)")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Profile a reference table once and store it, so later checks need no reference data."""
    from steward.services import monitor

    with unit() as work:
        record = monitor.create_profile(work, reference, system_id=system, name=name,
                                        columns=_columns(columns), sample_size=sample_size)
    emit(record, fmt=fmt, columns=PROFILE_COLUMNS)


@app.command("profiles")
def profiles(system: Annotated[int | None, typer.Option("--system")] = None,
             fmt: FormatOpt = Format.table) -> None:
    """List stored reference profiles."""
    from steward.services import monitor

    with unit() as work:
        rows = monitor.list_profiles(work, system_id=system)
    emit(rows, fmt=fmt, columns=PROFILE_COLUMNS)


@app.command("add")
def add(
    system: Annotated[int, typer.Option("--system", help="the AI system to watch")],
    name: Annotated[str, typer.Option("--name", help="the monitor's name")],
    profile: Annotated[str, typer.Option("--profile", help="stored profile (name or id)")],
    current: Annotated[str, typer.Option("--current", help="the current table's path")],
    every: EveryOpt = 1440,
    columns: ColumnsOpt = None,
    threshold: ThresholdOpt = None,
    incident: IncidentOpt = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Add a scheduled drift check of a system against a stored profile (first run: now)."""
    from steward.services import monitors

    with unit() as work:
        record = monitors.add_drift_monitor(work, system_id=system, name=name, profile=profile,
                                     current=current, columns=_columns(columns),
                                     thresholds=_thresholds(threshold), every_minutes=every,
                                     open_incident=incident)
    emit(record, fmt=fmt, columns=MONITOR_COLUMNS)


@app.command("add-fairness")
def add_fairness(
    system: Annotated[int, typer.Option("--system", help="the AI system to watch")],
    name: Annotated[str, typer.Option("--name", help="the monitor's name")],
    source: Annotated[str, typer.Option("--data", help="the decision table's path")],
    groups: Annotated[str, typer.Option("--groups", help="comma-separated group columns")],
    decision: Annotated[str, typer.Option("--decision", help="the decision (or score) column")],
    label: Annotated[str | None, typer.Option("--label", help="the outcome column")] = None,
    score: Annotated[str | None, typer.Option("--score", help="the score column")] = None,
    threshold: Annotated[float | None, typer.Option(
        "--threshold", help="decision = score >= threshold, for a score decision column")] = None,
    intersections: Annotated[bool, typer.Option(
        "--intersections/--no-intersections", help="audit combinations of groups too")] = False,
    reference: Annotated[str | None, typer.Option(
        "--reference", help="the eligible population's table (reach against eligibility)")
    ] = None,
    min_group_size: Annotated[int | None, typer.Option("--min-group-size")] = None,
    every: EveryOpt = 1440,
    incident: IncidentOpt = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Add a scheduled fairness audit of a system's decision table."""
    from steward.services import monitors

    with unit() as work:
        record = monitors.add_fairness_monitor(
            work, system_id=system, name=name, source=source, groups=_columns(groups) or [],
            decision=decision, label=label, score=score, threshold=threshold,
            intersections=intersections, reference=reference, min_group_size=min_group_size,
            every_minutes=every, open_incident=incident)
    emit(record, fmt=fmt, columns=MONITOR_COLUMNS)


@app.command("add-kpi")
def add_kpi(
    system: Annotated[int, typer.Option("--system", help="the AI system to watch")],
    name: Annotated[str, typer.Option("--name", help="the monitor's name")],
    metric: Annotated[str, typer.Option("--metric", help="the KPI, e.g. click_through")],
    minimum: Annotated[float | None, typer.Option(
        "--min", help="alert below this (default: the policy's red limit)")] = None,
    maximum: Annotated[float | None, typer.Option(
        "--max", help="alert above this (default: the policy's red limit)")] = None,
    window: Annotated[int, typer.Option("--window", help="days of figures to roll up")] = 7,
    campaign: Annotated[str | None, typer.Option(
        "--campaign", help="one campaign's figures (default: all of the system's)")] = None,
    severity: Annotated[str, typer.Option("--severity", help="warning or critical")
                        ] = "warning",
    every: EveryOpt = 1440,
    incident: IncidentOpt = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Add a scheduled check of a KPI against a floor and/or a ceiling."""
    from steward.services import monitors

    with unit() as work:
        record = monitors.add_kpi_monitor(
            work, system_id=system, name=name, metric=metric, minimum=minimum, maximum=maximum,
            window_days=window, campaign=campaign, severity=severity, every_minutes=every,
            open_incident=incident)
    emit(record, fmt=fmt, columns=MONITOR_COLUMNS)


@app.command("enable")
def enable(monitor_id: int) -> None:
    """Enable a monitor again."""
    from steward.services import monitors

    with unit() as work:
        monitors.set_monitor_enabled(work, monitor_id, True)
    typer.echo(f"enabled monitor {monitor_id}")


@app.command("disable")
def disable(monitor_id: int) -> None:
    """Disable a monitor (it keeps its history; `enable` resumes it)."""
    from steward.services import monitors

    with unit() as work:
        monitors.set_monitor_enabled(work, monitor_id, False)
    typer.echo(f"disabled monitor {monitor_id}")


@app.command("list")
def list_(system: Annotated[int | None, typer.Option("--system")] = None,
          fmt: FormatOpt = Format.table) -> None:
    """List monitors."""
    from steward.services import monitors

    with unit() as work:
        rows = monitors.list_monitors(work, system_id=system)
    emit(rows, fmt=fmt, columns=MONITOR_COLUMNS)


@app.command("remove")
def remove(monitor_id: int) -> None:
    """Remove a monitor (its evidence and alerts stay)."""
    from steward.services import monitors

    with unit() as work:
        monitors.remove_monitor(work, monitor_id)
    typer.echo(f"removed monitor {monitor_id}")


@app.command("run")
def run(
    run_all: Annotated[bool, typer.Option("--all", help="run every enabled monitor now")] = False,
    loop: Annotated[bool, typer.Option("--loop", help="keep running (in-process scheduler)")
                    ] = False,
    every: Annotated[float, typer.Option("--every", help="seconds between rounds with --loop")
                     ] = 60.0,
    fmt: FormatOpt = Format.table,
) -> None:
    """Run the monitors that are due (for cron); exit 1 when an alert was raised."""
    from steward.services import monitors

    alerted = False
    while True:
        with unit() as work:
            outcome = monitors.run_due(work, run_all=run_all)
        alerted = alerted or any(r.get("alert_id") for r in outcome)
        if fmt is Format.json:
            emit(outcome, fmt=fmt)
        elif outcome or not loop:
            emit(outcome, fmt=fmt, columns=RUN_COLUMNS)
        if not loop:
            break
        run_all = False
        time.sleep(every)
    if alerted:
        raise typer.Exit(1)


@app.command("alerts")
def alerts(status: Annotated[str | None, typer.Option(help="open or acknowledged")] = None,
           system: Annotated[int | None, typer.Option("--system")] = None,
           fmt: FormatOpt = Format.table) -> None:
    """List alerts, newest first."""
    from steward.services import alerts as alert_service

    with unit() as work:
        rows = alert_service.list_alerts(work, status=status, system_id=system)
    emit(rows, fmt=fmt, columns=ALERT_COLUMNS)


@app.command("ack")
def ack(alert_id: int) -> None:
    """Acknowledge an alert."""
    from steward.services import alerts as alert_service

    with unit() as work:
        alert_service.acknowledge_alert(work, alert_id)
    typer.echo(f"acknowledged alert {alert_id}")
