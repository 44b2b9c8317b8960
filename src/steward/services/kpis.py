"""KPIs: performance figures per AI system and campaign, ingested from CSV, JSON Lines or the API.

A figure is ``date, system, campaign, metric, value``: ``system`` is the AI system's id or exact
name, ``campaign`` may be empty (a figure for the whole system), ``metric`` is a name such as
``impressions`` or ``click_through`` (:data:`KPI_METRICS` lists the ones Steward knows; an
organisation may add any other lower-case name). Ingesting the same (system, campaign, metric,
date) again replaces the value, so a pipeline can re-send a corrected day. A batch is checked
whole before anything is stored: one bad row refuses the batch, naming the row.

Every ingest is in the audit log, once per system, with the number of figures, the metrics, the
dates covered and the SHA-256 of the figures as stored, so a scorecard's inputs can be traced.

Monthly series (:func:`monthly`) roll figures up per calendar month: additive metrics
(impressions, revenue, cost, complaints, ...) are summed, rates and scores (click-through,
conversion, satisfaction, opt-out rate) are averaged over the days and campaigns reported.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from steward.core.audit_chain import canonical_json
from steward.core.roles import ANY_READER, Role, write_access
from steward.errors import InvalidInput, NotFound
from steward.services import auditors
from steward.services.runtime import Unit
from steward.storage.orm import AISystem, Kpi

INGEST_KPIS = write_access(Role.MARKETING, Role.DATA_SCIENCE, Role.IT, Role.COMMITTEE)
FIELDS = ("date", "system", "campaign", "metric", "value")
MAX_ROWS = 200_000
METRIC_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")

BAD_ROW = "row {row}: {problem}"
NO_ROWS = "no KPI figures given"
TOO_MANY = f"at most {MAX_ROWS:,} figures per batch"
BAD_SUFFIX = "{name}: give a .csv, .jsonl or .json file"


@dataclass(frozen=True)
class MetricInfo:
    label: str
    aggregate: str  # "sum" or "mean"
    better: str | None  # "min" (higher is better), "max" (lower is better) or None
    unit: str  # count, ratio, money, hours, score


KPI_METRICS: dict[str, MetricInfo] = {
    "impressions": MetricInfo("Impressions", "sum", "min", "count"),
    "clicks": MetricInfo("Clicks", "sum", "min", "count"),
    "click_through": MetricInfo("Click-through rate", "mean", "min", "ratio"),
    "conversions": MetricInfo("Conversions", "sum", "min", "count"),
    "conversion": MetricInfo("Conversion rate", "mean", "min", "ratio"),
    "revenue": MetricInfo("Revenue", "sum", "min", "money"),
    "cost": MetricInfo("Cost", "sum", "max", "money"),
    "hours_saved": MetricInfo("Hours saved", "sum", "min", "hours"),
    "customer_satisfaction": MetricInfo("Customer satisfaction", "mean", "min", "score"),
    "complaints": MetricInfo("Complaints", "sum", "max", "count"),
    "opt_out_rate": MetricInfo("Opt-out rate", "mean", "max", "ratio"),
}
"""Metrics Steward knows: how to roll them up per month and which direction is better."""

ALIASES = {"ctr": "click_through", "click_through_rate": "click_through",
           "conversion_rate": "conversion", "csat": "customer_satisfaction",
           "opt_out": "opt_out_rate", "optout_rate": "opt_out_rate"}


def metric_name(raw: object) -> str:
    """``Click-through`` → ``click_through``; aliases (``ctr``, ``csat``) to their names."""
    name = re.sub(r"[\s\-/]+", "_", str(raw or "").strip().lower())
    name = ALIASES.get(name, name)
    if not METRIC_RE.match(name):
        raise ValueError(f"metric {raw!r} must be a lower-case name (letters, digits, _)")
    return name


def metric_info(name: str) -> MetricInfo:
    """What Steward knows of a metric; an organisation's own metrics are averaged."""
    return KPI_METRICS.get(name) or MetricInfo(name.replace("_", " ").capitalize(), "mean",
                                               None, "number")


# --- reading files ----------------------------------------------------------------------------


def parse_csv(text: str) -> list[dict[str, Any]]:
    """Rows of a CSV file with a header naming at least date, system, metric and value."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [f for f in FIELDS if f not in header and f != "campaign"]
    if missing:
        raise InvalidInput(f"the CSV header lacks {', '.join(missing)} (it needs "
                           f"{', '.join(FIELDS)})")
    return [{(k or "").strip().lower(): v for k, v in row.items()} for row in reader]


def parse_jsonl(text: str) -> list[dict[str, Any]]:
    """One JSON object per line (blank lines skipped); a JSON array is accepted too."""
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            rows = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"not valid JSON: {exc.msg} (line {exc.lineno})") from None
        if not all(isinstance(r, dict) for r in rows):
            raise InvalidInput("the JSON array must hold objects")
        return rows
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"line {number}: not valid JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise InvalidInput(f"line {number}: each line must be a JSON object")
        out.append(row)
    return out


def read_file(path: str | Path) -> list[dict[str, Any]]:
    file = Path(path)
    suffix = file.suffix.lower()
    if suffix not in (".csv", ".jsonl", ".json", ".ndjson"):
        raise InvalidInput(BAD_SUFFIX.format(name=file.name))
    try:
        text = file.read_text("utf-8")
    except OSError as exc:
        raise InvalidInput(f"{file}: cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{file}: is not UTF-8 text") from None
    return parse_csv(text) if suffix == ".csv" else parse_jsonl(text)


# --- ingesting --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Figure:
    system_id: int
    campaign: str
    metric: str
    day: date
    value: float

    @property
    def key(self) -> tuple[int, str, str, date]:
        return (self.system_id, self.campaign, self.metric, self.day)


def _systems_by_ref(unit: Unit) -> tuple[dict[str, int], set[int]]:
    rows = unit.session.execute(select(AISystem.id, AISystem.name)).all()
    by_name = {name.strip().lower(): sid for sid, name in rows}
    return by_name, {sid for sid, _ in rows}


def _figure(row: Mapping[str, Any], by_name: dict[str, int], ids: set[int]) -> _Figure:
    lowered = {str(k).strip().lower(): v for k, v in row.items()}
    for name in ("date", "system", "metric", "value"):
        if lowered.get(name) in (None, ""):
            raise ValueError(f"{name} is missing")
    try:
        day = date.fromisoformat(str(lowered["date"]).strip()[:10])
    except ValueError:
        raise ValueError(f"date {lowered['date']!r} is not an ISO date (YYYY-MM-DD)") from None
    ref = str(lowered["system"]).strip()
    system_id = int(ref) if ref.isdigit() and int(ref) in ids else by_name.get(ref.lower())
    if system_id is None:
        raise ValueError(f"no AI system {ref!r} (give its id or exact name)")
    raw = lowered["value"]
    if isinstance(raw, bool):
        raise ValueError("value must be a number")
    try:
        value = float(str(raw).strip().replace(",", "")) if isinstance(raw, str) else float(raw)
    except (TypeError, ValueError):
        raise ValueError(f"value {raw!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError("value must be a finite number")
    campaign = str(lowered.get("campaign") or "").strip()
    if len(campaign) > 200:
        raise ValueError("campaign names are at most 200 characters")
    return _Figure(system_id, campaign, metric_name(lowered["metric"]), day, value)


def ingest(unit: Unit, rows: Sequence[Mapping[str, Any]], *, source: str = "api"
           ) -> dict[str, Any]:
    """Check every row, then store the figures (replacing any with the same key)."""
    unit.require(INGEST_KPIS, "ingest KPIs")
    if not rows:
        raise InvalidInput(NO_ROWS)
    if len(rows) > MAX_ROWS:
        raise InvalidInput(TOO_MANY)
    by_name, ids = _systems_by_ref(unit)
    figures: dict[tuple[int, str, str, date], _Figure] = {}
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, Mapping):
            raise InvalidInput(BAD_ROW.format(row=number, problem="not an object"))
        try:
            figure = _figure(row, by_name, ids)
        except ValueError as exc:
            raise InvalidInput(BAD_ROW.format(row=number, problem=exc)) from None
        figures[figure.key] = figure
    by_system: dict[int, list[_Figure]] = defaultdict(list)
    for figure in figures.values():
        by_system[figure.system_id].append(figure)
    visible = auditors.visible_system_ids(unit)
    inserted = replaced = 0
    source = source.strip()[:200]
    for system_id, items in sorted(by_system.items()):
        if visible is not None and system_id not in visible:
            raise NotFound(f"no AI system with id {system_id}")
        days = [f.day for f in items]
        existing = {(k.system_id, k.campaign, k.metric, k.day): k for k in unit.session.scalars(
            select(Kpi).where(Kpi.system_id == system_id, Kpi.day >= min(days),
                              Kpi.day <= max(days))).all()}
        changed = 0
        for figure in items:
            row = existing.get(figure.key)
            if row is None:
                unit.session.add(Kpi(system_id=system_id, campaign=figure.campaign,
                                     metric=figure.metric, day=figure.day, value=figure.value,
                                     source=source, recorded_by=unit.actor.label))
                inserted += 1
            elif row.value != figure.value:
                row.value, row.source, row.recorded_by = figure.value, source, unit.actor.label
                replaced += 1
                changed += 1
        unit.session.flush()
        stored = sorted([f.day.isoformat(), f.campaign, f.metric, f.value] for f in items)
        unit.audit("kpi.ingest", "ai_system", system_id, after={
            "figures": len(items), "replaced": changed, "source": source,
            "metrics": sorted({f.metric for f in items}),
            "campaigns": sorted({f.campaign for f in items if f.campaign}),
            "from": min(days).isoformat(), "to": max(days).isoformat(),
            "sha256": hashlib.sha256(canonical_json(stored).encode("utf-8")).hexdigest()})
    return {"figures": len(figures), "inserted": inserted, "replaced": replaced,
            "unchanged": len(figures) - inserted - replaced, "systems": sorted(by_system),
            "source": source}


def ingest_file(unit: Unit, path: str | Path) -> dict[str, Any]:
    """Ingest a CSV or JSON Lines file (the CLI reads any local path)."""
    unit.require(INGEST_KPIS, "ingest KPIs")
    return ingest(unit, read_file(path), source=f"file:{Path(path).name}")


# --- reading ----------------------------------------------------------------------------------


def kpi_record(row: Kpi) -> dict[str, Any]:
    return {"date": row.day.isoformat(), "system_id": row.system_id, "campaign": row.campaign,
            "metric": row.metric, "value": row.value, "source": row.source,
            "recorded_by": row.recorded_by, "recorded_at": row.recorded_at.isoformat()}


def list_kpis(unit: Unit, *, system_id: int | None = None, metric: str | None = None,
              campaign: str | None = None, since: date | None = None,
              until: date | None = None, limit: int = 10_000) -> list[dict[str, Any]]:
    """Figures oldest first, filtered; an external auditor sees only granted systems."""
    unit.require(ANY_READER, "read KPIs")
    query = select(Kpi).order_by(Kpi.day, Kpi.system_id, Kpi.campaign, Kpi.metric).limit(limit)
    if system_id is not None:
        auditors.check_visible(unit, system_id)
        query = query.where(Kpi.system_id == system_id)
    else:
        visible = auditors.visible_system_ids(unit)
        if visible is not None:
            query = query.where(Kpi.system_id.in_(visible or {-1}))
    if metric:
        query = query.where(Kpi.metric == metric_name(metric))
    if campaign is not None:
        query = query.where(Kpi.campaign == campaign)
    if since:
        query = query.where(Kpi.day >= since)
    if until:
        query = query.where(Kpi.day <= until)
    return [kpi_record(r) for r in unit.session.scalars(query).all()]


def monthly(unit: Unit, *, system_ids: Iterable[int] | None = None,
            extra_additive: Iterable[str] = ()) -> dict[str, list[tuple[str, float]]]:
    """Each metric's value per calendar month (``YYYY-MM``), oldest first, over the systems."""
    unit.require(ANY_READER, "read KPIs")
    query = select(Kpi.metric, Kpi.day, Kpi.value)
    if system_ids is not None:
        query = query.where(Kpi.system_id.in_(list(system_ids) or [-1]))
    additive = set(extra_additive)
    sums: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for metric, day, value in unit.session.execute(query):
        sums[metric][f"{day:%Y-%m}"].append(value)
    out: dict[str, list[tuple[str, float]]] = {}
    for metric, months in sorted(sums.items()):
        summed = metric in additive or metric_info(metric).aggregate == "sum"
        out[metric] = [(month, sum(v) if summed else sum(v) / len(v))
                       for month, v in sorted(months.items())]
    return out


def reporting_systems(unit: Unit, system_ids: Iterable[int]) -> dict[str, int]:
    """How many of the systems report each metric (to scale a per-system target)."""
    unit.require(ANY_READER, "read KPIs")
    rows = unit.session.execute(select(Kpi.metric, Kpi.system_id).where(
        Kpi.system_id.in_(list(system_ids) or [-1])).distinct()).all()
    counts: dict[str, int] = defaultdict(int)
    for metric, _ in rows:
        counts[metric] += 1
    return dict(counts)


def campaigns(unit: Unit, system_id: int) -> list[str]:
    unit.require(ANY_READER, "read KPIs")
    rows = unit.session.scalars(select(Kpi.campaign).where(
        Kpi.system_id == system_id, Kpi.campaign != "").distinct().order_by(Kpi.campaign))
    return list(rows)


def window_value(unit: Unit, *, system_id: int, metric: str, since: date, until: date,
                 campaign: str | None = None) -> tuple[float | None, int]:
    """A metric's value on a system over ``[since, until]`` and the number of days with figures.

    Figures roll up as in :func:`monthly`: additive metrics are summed, the others averaged. A
    ``campaign`` of ``None`` takes every campaign and the system's own figures.
    """
    unit.require(ANY_READER, "read KPIs")
    name = metric_name(metric)
    query = select(Kpi.day, Kpi.value).where(Kpi.system_id == system_id, Kpi.metric == name,
                                             Kpi.day >= since, Kpi.day <= until)
    if campaign is not None:
        query = query.where(Kpi.campaign == campaign)
    rows = unit.session.execute(query).all()
    if not rows:
        return None, 0
    values = [float(value) for _, value in rows]
    total = sum(values) if metric_info(name).aggregate == "sum" else sum(values) / len(values)
    return total, len({day for day, _ in rows})
