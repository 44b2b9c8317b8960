"""Monitors: what to check on an AI system, how often, and what to do when a check fires.

A monitor is one of three kinds, each a recurring check that leaves evidence on its system:

- ``drift`` — the current table against a stored reference profile
  (:mod:`steward.services.monitor`); evidence ``drift_check``; alerts when columns drift
  (critical on dataset drift);
- ``fairness`` — the fairness audit of a decision table (:mod:`steward.services.audits`),
  judged by the policy in force; evidence ``fairness_audit``; alerts on ``warn`` and
  (critical) ``fail``;
- ``kpi`` — a business metric's value over the last days (:mod:`steward.services.kpis`)
  against a floor and/or a ceiling (by default the red limits of the policy's scorecard targets
  ``scorecard.kpi.<metric>_min|_max``); evidence ``kpi_check``; alerts when outside.

:func:`run_due` runs the monitors that are due — from ``steward monitor run`` under cron or an
orchestrator, or from :class:`MonitorScheduler` in-process (``steward serve`` starts one when
``STEWARD_MONITOR_INTERVAL`` is set; the demo does). Each due monitor is *claimed* by moving its
next run with a compare-and-set update, so two schedulers (two server processes, or cron beside
the server) never run the same check twice. A check that cannot run (a missing file, say)
reports status ``error`` with an alert; the other monitors still run.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from steward.core.roles import ANY_READER, Role, write_access
from steward.engines.backends import open_table
from steward.engines.drift import DriftThresholds, ReferenceProfile, check_drift
from steward.errors import Conflict, InvalidInput, NotFound, StewardError
from steward.services import auditors, audits, data_paths, kpis, policy
from steward.services.alerts import raise_alert
from steward.services.evidence import record_evidence
from steward.services.monitor import (
    RUN_CHECKS,
    check_name,
    evidence_by_system,
    find_profile,
    record_check,
    system_of,
    verdict_of,
)
from steward.services.runtime import Actor, Runtime, Unit
from steward.storage.orm import Monitor

MANAGE_MONITORS = write_access(Role.DATA_SCIENCE, Role.IT)
KINDS = ("drift", "fairness", "kpi")
KPI_KIND = "kpi_check"
BAD_EVERY = "--every must be between 1 minute and 366 days"
BAD_WINDOW = "the KPI window must be between 1 and 366 days"
NO_BOUND = ("give a minimum or a maximum for {metric!r}: the policy in force sets no "
            "scorecard.kpi.{metric}_min or _max")
FAIRNESS_OPTIONS = ("groups", "decision", "threshold", "label", "score", "intersections",
                    "reference", "min_group_size")

log = logging.getLogger("steward.monitor")


@dataclass
class CheckResult:
    """What one run of a monitor found: its status, message, evidence and alert to raise."""

    status: str
    message: str
    evidence_id: int | None = None
    alert: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def monitor_record(m: Monitor) -> dict[str, Any]:
    return {
        "id": m.id, "system_id": m.system_id, "system": m.system.name, "name": m.name,
        "kind": m.kind, "profile_id": m.profile_evidence_id,
        "current_path": m.current_path or None, "columns": list(m.columns or []),
        "thresholds": dict(m.thresholds or {}), "config": dict(m.config or {}),
        "every_minutes": m.every_minutes, "open_incident": m.open_incident,
        "enabled": m.enabled, "next_run_at": m.next_run_at.isoformat(),
        "last_run_at": m.last_run_at.isoformat() if m.last_run_at else None,
        "last_status": m.last_status, "last_message": m.last_message,
        "created_by": m.created_by,
    }


# --- adding monitors ---------------------------------------------------------------------------


def _store(unit: Unit, monitor: Monitor) -> dict[str, Any]:
    if unit.session.scalar(select(Monitor.id).where(Monitor.system_id == monitor.system_id,
                                                    Monitor.name == monitor.name)) is not None:
        raise Conflict(f"system {monitor.system_id} already has a monitor named {monitor.name!r}")
    unit.session.add(monitor)
    unit.session.flush()
    after = monitor_record(monitor)
    unit.audit("monitor.create", "monitor", monitor.id, after=after)
    return after


def _new(unit: Unit, *, kind: str, system_id: int, name: str, every_minutes: int,
         open_incident: bool, current_path: str = "", **fields: Any) -> Monitor:
    check_name(name)
    system_of(unit, system_id)
    if not 1 <= every_minutes <= 366 * 1440:
        raise InvalidInput(BAD_EVERY)
    return Monitor(system_id=system_id, name=name.strip(), kind=kind, current_path=current_path,
                   every_minutes=every_minutes, open_incident=open_incident, enabled=True,
                   next_run_at=datetime.now(UTC), created_by=unit.actor.label, **fields)


def add_drift_monitor(unit: Unit, *, system_id: int, name: str, profile: str | int,
                      current: str, columns: Sequence[str] | None = None,
                      thresholds: Mapping[str, Any] | None = None, every_minutes: int = 1440,
                      open_incident: bool = False, confine: bool = False) -> dict[str, Any]:
    """Check ``current`` against a stored profile every ``every_minutes`` (first run: now)."""
    unit.require(MANAGE_MONITORS, "add monitors")
    monitor = _new(unit, kind="drift", system_id=system_id, name=name,
                   every_minutes=every_minutes, open_incident=open_incident,
                   current_path=data_paths.resolve(unit, current, confine=confine),
                   columns=list(columns or []), thresholds=dict(thresholds or {}))
    DriftThresholds.from_mapping(thresholds)
    monitor.profile_evidence_id = find_profile(unit, profile, system_id=system_id)["id"]
    return _store(unit, monitor)


def add_fairness_monitor(unit: Unit, *, system_id: int, name: str, source: str,
                         groups: Sequence[str], decision: str, label: str | None = None,
                         score: str | None = None, threshold: float | None = None,
                         intersections: bool = False, reference: str | None = None,
                         min_group_size: int | None = None, every_minutes: int = 1440,
                         open_incident: bool = False, confine: bool = False) -> dict[str, Any]:
    """Audit the decision table at ``source`` for fairness every ``every_minutes``.

    The table is read now to check that it and the named columns exist, so a typo fails here
    rather than at 3 a.m.
    """
    unit.require(MANAGE_MONITORS, "add monitors")
    path = data_paths.resolve(unit, source, confine=confine)
    monitor = _new(unit, kind="fairness", system_id=system_id, name=name,
                   every_minutes=every_minutes, open_incident=open_incident, current_path=path)
    with open_table(path, hash_files=False) as table:
        names = set(table.columns)
    wanted = [*groups, decision, *(c for c in (label, score) if c)]
    if not groups:
        raise InvalidInput("a fairness monitor needs at least one group column")
    missing = [c for c in wanted if c not in names]
    if missing:
        raise InvalidInput(f"{source}: no column {', '.join(map(repr, missing))}")
    if min_group_size is not None and min_group_size < 1:
        raise InvalidInput("the minimum group size must be at least 1")
    monitor.config = {
        "groups": list(groups), "decision": decision, "label": label, "score": score,
        "threshold": threshold, "intersections": intersections,
        "reference": data_paths.resolve(unit, reference, confine=confine) if reference else None,
        "min_group_size": min_group_size}
    return _store(unit, monitor)


def kpi_limits(unit: Unit, metric: str) -> tuple[float | None, float | None]:
    """The red limits of the policy's scorecard targets for a metric: (floor, ceiling)."""
    values = policy.in_force(unit).pack.thresholds
    limits: list[float | None] = []
    for suffix in ("min", "max"):
        value = values.get(f"scorecard.kpi.{metric}_{suffix}")
        if isinstance(value, list) and value:
            value = value[-1]
        limits.append(float(value) if isinstance(value, int | float) else None)
    return limits[0], limits[1]


def add_kpi_monitor(unit: Unit, *, system_id: int, name: str, metric: str,
                    minimum: float | None = None, maximum: float | None = None,
                    window_days: int = 7, campaign: str | None = None,
                    severity: str = "warning", every_minutes: int = 1440,
                    open_incident: bool = False) -> dict[str, Any]:
    """Check a KPI over the last ``window_days`` days against a floor and/or a ceiling."""
    unit.require(MANAGE_MONITORS, "add monitors")
    try:
        metric = kpis.metric_name(metric)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    monitor = _new(unit, kind="kpi", system_id=system_id, name=name,
                   every_minutes=every_minutes, open_incident=open_incident)
    if not 1 <= window_days <= 366:
        raise InvalidInput(BAD_WINDOW)
    if severity not in ("warning", "critical"):
        raise InvalidInput(f"unknown alert severity {severity!r}: use warning or critical")
    if minimum is None and maximum is None:
        minimum, maximum = kpi_limits(unit, metric)
        if minimum is None and maximum is None:
            raise InvalidInput(NO_BOUND.format(metric=metric))
    if minimum is not None and maximum is not None and minimum > maximum:
        raise InvalidInput(f"the minimum {minimum:g} is above the maximum {maximum:g}")
    monitor.config = {"metric": metric, "minimum": minimum, "maximum": maximum,
                      "window_days": window_days, "campaign": campaign, "severity": severity}
    return _store(unit, monitor)


# --- reading and changing ----------------------------------------------------------------------


def list_monitors(unit: Unit, *, system_id: int | None = None) -> list[dict[str, Any]]:
    unit.require(ANY_READER, "list monitors")
    query = select(Monitor).order_by(Monitor.system_id, Monitor.name)
    visible = auditors.visible_system_ids(unit)
    if visible is not None:
        query = query.where(Monitor.system_id.in_(visible or {-1}))
    if system_id is not None:
        query = query.where(Monitor.system_id == system_id)
    return [monitor_record(m) for m in unit.session.scalars(query).all()]


def set_monitor_enabled(unit: Unit, monitor_id: int, enabled: bool) -> dict[str, Any]:
    unit.require(MANAGE_MONITORS, "change monitors")
    monitor = _monitor(unit, monitor_id)
    before = monitor_record(monitor)
    monitor.enabled = enabled
    unit.session.flush()
    after = monitor_record(monitor)
    unit.audit("monitor.enable" if enabled else "monitor.disable", "monitor", monitor_id,
               before=before, after=after)
    return after


def remove_monitor(unit: Unit, monitor_id: int) -> None:
    unit.require(MANAGE_MONITORS, "remove monitors")
    monitor = _monitor(unit, monitor_id)
    before = monitor_record(monitor)
    unit.session.delete(monitor)
    unit.session.flush()
    unit.audit("monitor.remove", "monitor", monitor_id, before=before)


# --- running -----------------------------------------------------------------------------------


def run_due(unit: Unit, *, now: datetime | None = None, run_all: bool = False,
            monitor_ids: Sequence[int] | None = None) -> list[dict[str, Any]]:
    """Run every enabled monitor that is due (or all of them); one summary per monitor run."""
    unit.require(RUN_CHECKS, "run monitors")
    now = now or datetime.now(UTC)
    query = select(Monitor).where(Monitor.enabled.is_(True)).order_by(Monitor.id)
    if monitor_ids:
        query = query.where(Monitor.id.in_(list(monitor_ids)))
    elif not run_all:
        query = query.where(Monitor.next_run_at <= now)
    outcomes = []
    for monitor in unit.session.scalars(query).all():
        if _claim(unit, monitor, now):
            outcomes.append(_run(unit, monitor, now))
    return outcomes


def _claim(unit: Unit, monitor: Monitor, now: datetime) -> bool:
    """Move the monitor's next run forward unless another scheduler did so first."""
    claimed = unit.session.execute(
        update(Monitor).where(Monitor.id == monitor.id,
                              Monitor.next_run_at == monitor.next_run_at)
        .values(next_run_at=now + timedelta(minutes=monitor.every_minutes), last_run_at=now)
        .execution_options(synchronize_session=False))
    unit.session.refresh(monitor)
    return bool(claimed.rowcount)  # type: ignore[attr-defined]


def _run(unit: Unit, monitor: Monitor, now: datetime) -> dict[str, Any]:
    outcome: dict[str, Any] = {"monitor_id": monitor.id, "monitor": monitor.name,
                               "kind": monitor.kind, "system_id": monitor.system_id,
                               "evidence_id": None, "alert_id": None}
    checks = {"drift": _check_drift, "fairness": _check_fairness, "kpi": _check_kpi}
    try:
        result = checks[monitor.kind](unit, monitor)
    except StewardError as exc:
        result = CheckResult("error", exc.message, alert={
            "kind": "check_failed", "severity": "warning",
            "message": f"{monitor.system.name} / {monitor.name}: the check failed: "
                       f"{exc.message}", "details": {"error": exc.message}})
    monitor.last_status, monitor.last_message = result.status, result.message[:4000]
    outcome.update(status=result.status, message=result.message,
                   evidence_id=result.evidence_id, **result.extra)
    if result.alert is not None:
        alert = raise_alert(unit, monitor, evidence_id=result.evidence_id, **result.alert)
        outcome["alert_id"] = alert["id"]
    unit.session.flush()
    return outcome


def _check_drift(unit: Unit, monitor: Monitor) -> CheckResult:
    record = find_profile(unit, monitor.profile_evidence_id or 0)
    report = check_drift(ReferenceProfile.load(record["file_path"]), monitor.current_path,
                         columns=monitor.columns or None, thresholds=monitor.thresholds)
    evidence = record_check(unit, report, system_id=monitor.system_id, profile_id=record["id"],
                            monitor=monitor.name)
    result = CheckResult(verdict_of(report), evidence["title"], evidence["id"], extra={
        "drift_share": report.drift_share, "drifted_columns": list(report.drifted_columns)})
    if report.drifted_columns:
        result.alert = {
            "kind": "drift", "severity": "critical" if report.dataset_drift else "warning",
            "message": f"{monitor.system.name} / {monitor.name}: "
                       f"{', '.join(report.drifted_columns)} drifted "
                       f"(share {report.drift_share:.0%})",
            "details": {"drift_share": report.drift_share, "dataset_drift": report.dataset_drift,
                        "drifted_columns": list(report.drifted_columns)}}
    return result


def _check_fairness(unit: Unit, monitor: Monitor) -> CheckResult:
    options = {k: v for k, v in (monitor.config or {}).items() if k in FAIRNESS_OPTIONS}
    data = audits.run_fairness_audit(unit, source=monitor.current_path,
                                     system_id=monitor.system_id, **options)
    verdict, evidence = data["verdict"], data["evidence"]
    worst = {k: v for k, v in audits.worst_ratios(data).items() if v is not None}
    shown = ", ".join(f"{k} {v:.2f}" for k, v in worst.items())
    message = f"Fairness audit ({monitor.name}): {verdict}" + \
        (f"; lowest selection-rate ratio: {shown}" if shown else "")
    result = CheckResult(verdict, message, evidence["id"], extra={"worst_ratios": worst})
    if verdict in ("warn", "fail"):
        findings = [f.get("message", "") for f in data.get("findings", [])][:5]
        result.alert = {"kind": "fairness", "severity": "critical" if verdict == "fail"
                        else "warning", "message": f"{monitor.system.name} / {message}",
                        "details": {"verdict": verdict, "worst_ratios": worst,
                                    "findings": findings}}
    return result


def _check_kpi(unit: Unit, monitor: Monitor) -> CheckResult:
    config = monitor.config or {}
    metric, days = str(config["metric"]), int(config.get("window_days") or 7)
    low, high = config.get("minimum"), config.get("maximum")
    until = datetime.now(UTC).date()
    value, seen = kpis.window_value(unit, system_id=monitor.system_id, metric=metric,
                                    since=until - timedelta(days=days - 1), until=until,
                                    campaign=config.get("campaign"))
    label = kpis.metric_info(metric).label
    if value is None:
        return CheckResult("no_data", f"no {label} figures in the last {days} days", alert={
            "kind": "kpi", "severity": "warning",
            "message": f"{monitor.system.name} / {monitor.name}: no {label} figures in the "
                       f"last {days} days", "details": {"metric": metric, "window_days": days}})
    breached = (low is not None and value < low) or (high is not None and value > high)
    bounds = " and ".join(f"{word} {bound:g}" for word, bound in
                          (("at least", low), ("at most", high)) if bound is not None)
    message = f"{label} over {days} days: {value:.4g} (should be {bounds})"
    summary = {"metric": metric, "value": value, "minimum": low, "maximum": high,
               "window_days": days, "days_with_figures": seen,
               "campaign": config.get("campaign"), "monitor": monitor.name}
    verdict = "fail" if breached else "pass"
    evidence = record_evidence(unit, kind=KPI_KIND, title=f"KPI check ({monitor.name}): {message}",
                               system_id=monitor.system_id, payload=summary, verdict=verdict,
                               summary=summary, fresh_days=days)
    result = CheckResult(verdict, message, evidence["id"], extra={"value": value})
    if breached:
        result.alert = {"kind": "kpi", "severity": str(config.get("severity") or "warning"),
                        "message": f"{monitor.system.name} / {monitor.name}: {message}",
                        "details": summary}
    return result


# --- trends ------------------------------------------------------------------------------------


def check_trends(unit: Unit, *, system_id: int | None = None, limit: int = 500
                 ) -> list[dict[str, Any]]:
    """Per system, oldest first: each fairness audit's lowest selection-rate ratio per group
    column, and each KPI check's value per metric (with its limits), for the trend charts."""
    unit.require(ANY_READER, "read monitoring trends")
    by_system: dict[int, dict[str, Any]] = {}
    for sid, items in evidence_by_system(unit, [audits.KIND, KPI_KIND], system_id=system_id,
                                         limit=limit).items():
        series = by_system[sid] = {
            "system_id": sid, "system": items[0].system.name if items[0].system else "",
            "fairness": [], "kpis": {}}
        for item in items:
            summary, at = item.summary or {}, item.created_at.isoformat()
            if item.kind == KPI_KIND:
                series["kpis"].setdefault(summary.get("metric", "?"), []).append({
                    "at": at, "value": summary.get("value"), "minimum": summary.get("minimum"),
                    "maximum": summary.get("maximum"), "verdict": item.verdict})
            else:
                series["fairness"].append({
                    "at": at, "verdict": item.verdict, "evidence_id": item.id,
                    "worst": summary.get("worst_selection_rate_ratio") or {}})
    return sorted(by_system.values(), key=lambda s: s["system"])


# --- in-process scheduler ----------------------------------------------------------------------


class MonitorScheduler:
    """Runs :func:`run_due` every ``interval`` seconds in a daemon thread.

    ``steward serve`` starts one when ``STEWARD_MONITOR_INTERVAL`` is above zero (the demo sets
    it); in production ``steward monitor run`` from cron or an orchestrator works as well, and
    both can run at once: each due check is claimed by one of them.
    """

    def __init__(self, runtime: Runtime, *, interval: float = 60.0,
                 actor: Actor | None = None) -> None:
        self.runtime = runtime
        self.interval = interval
        self.actor = actor or Actor.system("scheduler")
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.runs: list[dict[str, Any]] = []

    def tick(self) -> list[dict[str, Any]]:
        with self.runtime.unit(self.actor) as unit:
            outcome = run_due(unit)
        self.runs = [*self.runs[-999:], *outcome]
        return outcome

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:  # noqa: BLE001 - a scheduler must outlive one bad run
                log.exception("scheduled monitor run failed")
            self._stop.wait(self.interval)

    def start(self) -> MonitorScheduler:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="steward-monitor",
                                            daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None


# --- helpers -----------------------------------------------------------------------------------



def _monitor(unit: Unit, monitor_id: int) -> Monitor:
    monitor = unit.session.get(Monitor, monitor_id)
    if monitor is None:
        raise NotFound(f"no monitor with id {monitor_id}")
    return monitor
