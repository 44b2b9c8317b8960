"""``steward kpis`` (ingest and list performance figures) and ``steward scorecard``."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import typer

from steward.cli.context import Format, emit, unit
from steward.errors import InvalidInput
from steward.services import kpis, reporting, scorecards
from steward.services.reports.governance import format_value

kpis_app = typer.Typer(help="KPIs: performance figures per AI system and campaign.",
                       no_args_is_help=True)
MEASURE_COLUMNS = ("group", "measure", "value", "target", "status", "trend", "source")
SYSTEM_COLUMNS = ("id", "name", "stage", "tier", "score", "status")


@kpis_app.command("ingest")
def ingest(path: Annotated[str, typer.Argument(help="a .csv or .jsonl file with columns date, "
                                                    "system, campaign, metric, value")],
           fmt: Annotated[Format, typer.Option("--format")] = Format.table) -> None:
    """Ingest KPI figures (the same system, campaign, metric and date replaces the value)."""
    with unit() as work:
        result = kpis.ingest_file(work, path)
    emit(result, fmt=fmt, columns=("figures", "inserted", "replaced", "unchanged", "systems"))


@kpis_app.command("list")
def list_kpis(
    system: Annotated[int | None, typer.Option(help="one AI system's id")] = None,
    metric: Annotated[str | None, typer.Option()] = None,
    campaign: Annotated[str | None, typer.Option()] = None,
    since: Annotated[str | None, typer.Option(help="ISO date")] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
) -> None:
    """KPI figures, oldest first."""
    try:
        start = date.fromisoformat(since) if since else None
    except ValueError:
        raise InvalidInput(f"--since must be an ISO date, not {since!r}") from None
    with unit() as work:
        rows = kpis.list_kpis(work, system_id=system, metric=metric, campaign=campaign,
                              since=start)
    emit(rows, fmt=fmt, columns=("date", "system_id", "campaign", "metric", "value", "source"))


def _measure_rows(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"group": m["group"], "measure": m["label"],
             "value": format_value(m["value"], m["unit"]),
             "target": m["target"]["text"] if m["target"] else "", "status": m["status"],
             "trend": m["trend"] or "", "source": m["source"]} for m in card["measures"]]


def scorecard(
    target: Annotated[str, typer.Argument(help="an AI system's id, or 'portfolio'")],
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
) -> None:
    """A balanced scorecard: performance beside responsibility, each against its target."""
    system_id = reporting.parse_target(target)
    with unit() as work:
        card = (scorecards.portfolio_scorecard(work) if system_id is None
                else scorecards.system_scorecard(work, system_id))
    if fmt is Format.json:
        emit(card, fmt=fmt)
        return
    scores = card["scores"]
    title = ("Portfolio" if system_id is None else card["system"]["name"]) + " — " + ", ".join(
        f"{name} {_pct(s['value'])} {s['status']}" for name, s in scores.items())
    emit(_measure_rows(card), fmt=fmt, columns=MEASURE_COLUMNS, title=title)
    if system_id is None:
        emit([{**c["system"], "score": _pct(c["scores"]["overall"]["value"]),
               "status": c["scores"]["overall"]["status"]} for c in card["system_cards"]],
             fmt=fmt, columns=SYSTEM_COLUMNS, title="Systems")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f}%"
