"""Monitoring AI systems: drift checks, reference profiles, scheduled monitors and alerts.

- **Drift checks** compare a current table with a reference table or a stored reference
  profile (:mod:`steward.engines.drift`); on a system, the result is evidence of kind
  ``drift_check`` (verdict ``pass``, ``warn`` when some columns drifted, ``drift`` when the
  table did).
- **Reference profiles** are summaries of a reference table, saved once under
  ``<data_dir>/profiles`` and recorded as evidence of kind ``drift_profile`` pointing to them, so
  later checks never read the reference data again.
- **Monitors** say what to check on a system and how often; :func:`run_due` runs the checks that
  are due (from ``steward monitor run`` under cron or an orchestrator, or from
  :class:`MonitorScheduler` in-process), records the evidence and raises **alerts**.
- Every alert is passed to the callbacks in :func:`alert_hooks` (``on_alert``): the incident
  service subscribes there to open an incident when the monitor says so (``open_incident``).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from steward.core.roles import ANY_READER, Role, write_access
from steward.engines.drift import DriftReport, DriftThresholds, ReferenceProfile, check_drift
from steward.errors import Conflict, InvalidInput, NotFound, StewardError
from steward.services import auditors, data_paths, policy
from steward.services.escalation import alert_to_incident
from steward.services.evidence import (
    get_evidence,
    list_evidence,
    record_evidence,
)
from steward.services.runtime import Actor, Runtime, Unit
from steward.storage.orm import AISystem, Alert, Evidence, Monitor

RUN_CHECKS = write_access(Role.DATA_SCIENCE, Role.IT, Role.PRIVACY, Role.LEGAL, Role.COMMITTEE,
                          Role.MARKETING)
MANAGE_MONITORS = write_access(Role.DATA_SCIENCE, Role.IT)
ACKNOWLEDGE_ALERTS = write_access(Role.DATA_SCIENCE, Role.IT, Role.PRIVACY, Role.LEGAL,
                                  Role.COMMITTEE, Role.MARKETING)
PROFILE_KIND = "drift_profile"
CHECK_KIND = "drift_check"
ALERT_STATUSES = ("open", "acknowledged")
NO_REFERENCE = "give a reference table or a stored profile, not both and not neither"
NO_PROFILE = "no drift profile {ref!r}"
BAD_NAME = "a name must be 1-120 characters"
BAD_EVERY = "--every must be between 1 minute and 366 days"

AlertHook = Callable[[Unit, dict[str, Any]], None]
log = logging.getLogger("steward.monitor")


def alert_hooks(runtime: Runtime | None) -> list[AlertHook]:
    """The ``on_alert`` callbacks of a runtime: append ``fn(unit, alert_record)`` to subscribe.

    Callbacks run inside the unit that raised the alert, after it is stored; an incident service
    can open an incident there when ``alert["open_incident"]`` is true.
    """
    if runtime is None:
        return []
    return runtime.cached("monitor.on_alert", lambda: [alert_to_incident])


def _visible(unit: Unit, query: Any, column: Any) -> Any:
    """Restrict a query to the systems an external auditor was granted (others see all)."""
    visible = auditors.visible_system_ids(unit)
    return query if visible is None else query.where(column.in_(visible or {-1}))


# --- paths ---------------------------------------------------------------------------------


def _source(unit: Unit, path: str, confine: bool) -> str:
    return data_paths.resolve(unit, path, confine=confine)


# --- drift checks and profiles ---------------------------------------------------------------


POLICY_THRESHOLDS = {"drift.wasserstein_norm": "numeric_wasserstein",
                     "drift.psi": ("numeric_psi", "categorical_psi"),
                     "drift.js_distance": "categorical_js", "drift.dataset_share": "dataset_share"}


def policy_thresholds(unit: Unit) -> dict[str, float]:
    """Drift thresholds from the policy in force (``drift.*``); a monitor's own ones win."""
    pack = policy.in_force(unit).pack.thresholds
    out: dict[str, float] = {}
    for name, targets in POLICY_THRESHOLDS.items():
        if isinstance(pack.get(name), int | float):
            for target in (targets,) if isinstance(targets, str) else targets:
                out[target] = float(pack[name])
    return out


def compare(reference: Any, current: Any, *, columns: Sequence[str] | None = None,
            thresholds: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A drift check that records nothing (no database): the engine's JSON result."""
    if isinstance(reference, str | Path) and Path(reference).is_dir() and \
            (Path(reference) / "profile.json").is_file():
        reference = ReferenceProfile.load(reference)
    return check_drift(reference, current, columns=columns, thresholds=thresholds).to_dict()


def _verdict(report: DriftReport) -> str:
    if report.dataset_drift:
        return "drift"
    return "warn" if report.drifted_columns else "pass"


def create_profile(unit: Unit, source: str, *, system_id: int, name: str,
                   columns: Sequence[str] | None = None, sample_size: int | None = None,
                   confine: bool = False) -> dict[str, Any]:
    """Profile a reference table once, save it under the data directory, record the evidence."""
    unit.require(RUN_CHECKS, "store drift profiles")
    _check_name(name)
    _system(unit, system_id)
    profile = ReferenceProfile.build(_source(unit, source, confine), columns=columns,
                                     sample_size=sample_size)
    folder = (Path(unit.settings.data_dir) / "profiles" / str(system_id)
              / f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}")
    path = profile.save(folder)
    summary = profile.summary()
    return record_evidence(
        unit, kind=PROFILE_KIND, title=name, system_id=system_id, payload=summary,
        summary={"name": name, "rows": profile.rows, "columns": len(profile.columns),
                 "exact": profile.exact},
        data_fingerprint=profile.source, file_path=str(path), fresh_days=None)


def list_profiles(unit: Unit, *, system_id: int | None = None) -> list[dict[str, Any]]:
    return list_evidence(unit, system_id=system_id, kind=PROFILE_KIND)


def find_profile(unit: Unit, ref: str | int, *, system_id: int | None = None) -> dict[str, Any]:
    """A stored profile by evidence id, or the newest with that name (on the system if given)."""
    unit.require(ANY_READER, "read drift profiles")
    text = str(ref).strip()
    if text.isdigit():
        try:
            record = get_evidence(unit, int(text))
        except NotFound:
            raise NotFound(NO_PROFILE.format(ref=text)) from None
        if record["kind"] != PROFILE_KIND:
            raise NotFound(NO_PROFILE.format(ref=text))
        return record
    query = (_visible(unit, select(Evidence.id), Evidence.system_id)
             .where(Evidence.kind == PROFILE_KIND, Evidence.title == text)
             .order_by(Evidence.created_at.desc(), Evidence.id.desc()).limit(1))
    if system_id is not None:
        query = query.where(Evidence.system_id == system_id)
    found = unit.session.scalar(query)
    if found is None:
        raise NotFound(NO_PROFILE.format(ref=text))
    return get_evidence(unit, found)


def run_drift_check(unit: Unit, *, current: str, reference: str | None = None,
                    profile: str | int | None = None, system_id: int | None = None,
                    columns: Sequence[str] | None = None,
                    thresholds: Mapping[str, Any] | None = None,
                    confine: bool = False) -> dict[str, Any]:
    """Check drift; on a system, record the result as ``drift_check`` evidence.

    Returns the engine's result with ``evidence`` (the stored record, or ``None``).
    """
    unit.require(RUN_CHECKS, "run drift checks")
    if (reference is None) == (profile is None):
        raise InvalidInput(NO_REFERENCE)
    profile_record = None
    if profile is not None and not confine and Path(str(profile)).is_dir():
        ref_source: Any = ReferenceProfile.load(str(profile))
    elif profile is not None:
        profile_record = find_profile(unit, profile, system_id=system_id)
        ref_source = ReferenceProfile.load(profile_record["file_path"])
    else:
        ref_source = _source(unit, reference, confine)  # type: ignore[arg-type]
    if system_id is not None:
        _system(unit, system_id)
    report = check_drift(ref_source, _source(unit, current, confine), columns=columns,
                         thresholds={**policy_thresholds(unit), **dict(thresholds or {})})
    result = report.to_dict()
    result["evidence"] = None
    if system_id is not None:
        result["evidence"] = _record_check(unit, report, system_id=system_id,
                                           profile_id=profile_record and profile_record["id"])
    return result


def _record_check(unit: Unit, report: DriftReport, *, system_id: int,
                  profile_id: int | None, monitor: str | None = None) -> dict[str, Any]:
    payload = report.to_dict()
    summary = {"drift_share": report.drift_share, "dataset_drift": report.dataset_drift,
               "drifted_columns": list(report.drifted_columns), "profile_id": profile_id,
               "monitor": monitor,
               "psi": {c.column: c.psi for c in report.stats}}
    title = f"Drift check{f' ({monitor})' if monitor else ''}: " \
            f"{len(report.drifted_columns)} of {len(report.stats)} columns drifted"
    return record_evidence(unit, kind=CHECK_KIND, title=title, system_id=system_id,
                           payload=payload, verdict=_verdict(report), summary=summary,
                           data_fingerprint=report.current)


# --- monitors --------------------------------------------------------------------------------


def monitor_record(m: Monitor) -> dict[str, Any]:
    return {
        "id": m.id, "system_id": m.system_id, "system": m.system.name, "name": m.name,
        "kind": m.kind, "profile_id": m.profile_evidence_id, "current_path": m.current_path,
        "columns": list(m.columns or []), "thresholds": dict(m.thresholds or {}),
        "every_minutes": m.every_minutes, "open_incident": m.open_incident,
        "enabled": m.enabled, "next_run_at": m.next_run_at.isoformat(),
        "last_run_at": m.last_run_at.isoformat() if m.last_run_at else None,
        "last_status": m.last_status, "last_message": m.last_message,
        "created_by": m.created_by,
    }


def add_monitor(unit: Unit, *, system_id: int, name: str, profile: str | int, current: str,
                columns: Sequence[str] | None = None,
                thresholds: Mapping[str, Any] | None = None, every_minutes: int = 1440,
                open_incident: bool = False, confine: bool = False) -> dict[str, Any]:
    """Check ``current`` against a stored profile every ``every_minutes`` (first run: now)."""
    unit.require(MANAGE_MONITORS, "add monitors")
    _check_name(name)
    _system(unit, system_id)
    if not 1 <= every_minutes <= 366 * 1440:
        raise InvalidInput(BAD_EVERY)
    DriftThresholds.from_mapping(thresholds)
    record = find_profile(unit, profile, system_id=system_id)
    if unit.session.scalar(select(Monitor.id).where(Monitor.system_id == system_id,
                                                    Monitor.name == name)) is not None:
        raise Conflict(f"system {system_id} already has a monitor named {name!r}")
    monitor = Monitor(system_id=system_id, name=name, kind="drift",
                      profile_evidence_id=record["id"],
                      current_path=_source(unit, current, confine), columns=list(columns or []),
                      thresholds=dict(thresholds or {}), every_minutes=every_minutes,
                      open_incident=open_incident, enabled=True,
                      next_run_at=datetime.now(UTC), created_by=unit.actor.label)
    unit.session.add(monitor)
    unit.session.flush()
    after = monitor_record(monitor)
    unit.audit("monitor.create", "monitor", monitor.id, after=after)
    return after


def list_monitors(unit: Unit, *, system_id: int | None = None) -> list[dict[str, Any]]:
    unit.require(ANY_READER, "list monitors")
    query = _visible(unit, select(Monitor).order_by(Monitor.system_id, Monitor.name),
                     Monitor.system_id)
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


def run_due(unit: Unit, *, now: datetime | None = None, run_all: bool = False,
            monitor_ids: Sequence[int] | None = None) -> list[dict[str, Any]]:
    """Run every enabled monitor that is due (or all of them); one summary per monitor run.

    A check that fails (a missing file, say) is reported as status ``error`` with an alert; the
    other monitors still run.
    """
    unit.require(RUN_CHECKS, "run monitors")
    now = now or datetime.now(UTC)
    query = select(Monitor).where(Monitor.enabled.is_(True)).order_by(Monitor.id)
    if monitor_ids:
        query = query.where(Monitor.id.in_(list(monitor_ids)))
    elif not run_all:
        query = query.where(Monitor.next_run_at <= now)
    return [_run_monitor(unit, m, now) for m in unit.session.scalars(query).all()]


def _run_monitor(unit: Unit, monitor: Monitor, now: datetime) -> dict[str, Any]:
    monitor.last_run_at = now
    monitor.next_run_at = now + timedelta(minutes=monitor.every_minutes)
    outcome: dict[str, Any] = {"monitor_id": monitor.id, "monitor": monitor.name,
                               "system_id": monitor.system_id, "evidence_id": None,
                               "alert_id": None}
    try:
        record = find_profile(unit, monitor.profile_evidence_id or 0)
        report = check_drift(ReferenceProfile.load(record["file_path"]), monitor.current_path,
                             columns=monitor.columns or None, thresholds=monitor.thresholds)
    except StewardError as exc:
        monitor.last_status, monitor.last_message = "error", exc.message
        alert = _raise_alert(unit, monitor, kind="check_failed", severity="warning",
                             message=f"{monitor.name}: the check failed: {exc.message}",
                             details={"error": exc.message}, evidence_id=None)
        unit.session.flush()
        return {**outcome, "status": "error", "message": exc.message, "alert_id": alert["id"]}
    evidence = _record_check(unit, report, system_id=monitor.system_id, profile_id=record["id"],
                             monitor=monitor.name)
    status = _verdict(report)
    monitor.last_status = status
    monitor.last_message = evidence["title"]
    outcome.update(status=status, message=evidence["title"], evidence_id=evidence["id"],
                   drift_share=report.drift_share, drifted_columns=list(report.drifted_columns))
    if report.drifted_columns:
        alert = _raise_alert(
            unit, monitor, kind="drift", severity="critical" if report.dataset_drift else "warning",
            message=f"{monitor.system.name} / {monitor.name}: "
                    f"{', '.join(report.drifted_columns)} drifted "
                    f"(share {report.drift_share:.0%})",
            details={"drift_share": report.drift_share, "dataset_drift": report.dataset_drift,
                     "drifted_columns": list(report.drifted_columns)},
            evidence_id=evidence["id"])
        outcome["alert_id"] = alert["id"]
    unit.session.flush()
    return outcome


# --- alerts ----------------------------------------------------------------------------------


def alert_record(a: Alert) -> dict[str, Any]:
    return {
        "id": a.id, "system_id": a.system_id, "system": a.system.name if a.system else None,
        "monitor_id": a.monitor_id, "evidence_id": a.evidence_id, "kind": a.kind,
        "severity": a.severity, "message": a.message, "details": dict(a.details or {}),
        "status": a.status, "created_at": a.created_at.isoformat(),
        "acknowledged_by": a.acknowledged_by,
        "acknowledged_at": a.acknowledged_at.isoformat() if a.acknowledged_at else None,
    }


def _raise_alert(unit: Unit, monitor: Monitor, *, kind: str, severity: str, message: str,
                 details: dict[str, Any], evidence_id: int | None) -> dict[str, Any]:
    alert = Alert(system_id=monitor.system_id, monitor_id=monitor.id, evidence_id=evidence_id,
                  kind=kind, severity=severity, message=message, details=details,
                  status="open", created_at=datetime.now(UTC))
    unit.session.add(alert)
    unit.session.flush()
    record = alert_record(alert)
    unit.audit("alert.raise", "alert", alert.id, after=record)
    record["open_incident"] = monitor.open_incident
    log.warning("alert %s [%s] %s", alert.id, severity, message)
    for hook in alert_hooks(unit.runtime):
        hook(unit, record)
    return record


def list_alerts(unit: Unit, *, status: str | None = None, system_id: int | None = None,
                limit: int = 200) -> list[dict[str, Any]]:
    unit.require(ANY_READER, "read alerts")
    query = _visible(unit, select(Alert).order_by(Alert.created_at.desc(), Alert.id.desc())
                     .limit(limit), Alert.system_id)
    if status:
        if status not in ALERT_STATUSES:
            raise InvalidInput(f"unknown alert status {status!r}: use open or acknowledged")
        query = query.where(Alert.status == status)
    if system_id is not None:
        query = query.where(Alert.system_id == system_id)
    return [alert_record(a) for a in unit.session.scalars(query).all()]


def acknowledge_alert(unit: Unit, alert_id: int) -> dict[str, Any]:
    unit.require(ACKNOWLEDGE_ALERTS, "acknowledge alerts")
    alert = unit.session.get(Alert, alert_id)
    if alert is None:
        raise NotFound(f"no alert with id {alert_id}")
    if alert.status != "open":
        raise Conflict(f"alert {alert_id} is already {alert.status}")
    before = alert_record(alert)
    alert.status = "acknowledged"
    alert.acknowledged_by = unit.actor.label
    alert.acknowledged_at = datetime.now(UTC)
    unit.session.flush()
    after = alert_record(alert)
    unit.audit("alert.acknowledge", "alert", alert_id, before=before, after=after)
    return after


# --- trends ----------------------------------------------------------------------------------


def drift_trends(unit: Unit, *, system_id: int | None = None, limit: int = 500
                 ) -> list[dict[str, Any]]:
    """Per system, its drift checks oldest first: time, drift share, verdict, PSI per column."""
    unit.require(ANY_READER, "read drift trends")
    query = (_visible(unit, select(Evidence), Evidence.system_id).where(Evidence.kind == CHECK_KIND)
             .order_by(Evidence.created_at.desc(), Evidence.id.desc()).limit(limit))
    if system_id is not None:
        query = query.where(Evidence.system_id == system_id)
    by_system: dict[int, dict[str, Any]] = {}
    for item in reversed(unit.session.scalars(query).all()):
        if item.system_id is None:
            continue
        series = by_system.setdefault(item.system_id, {
            "system_id": item.system_id, "system": item.system.name if item.system else "",
            "points": []})
        summary = item.summary or {}
        series["points"].append({
            "at": item.created_at.isoformat(), "evidence_id": item.id, "verdict": item.verdict,
            "drift_share": summary.get("drift_share"), "psi": summary.get("psi", {}),
            "monitor": summary.get("monitor")})
    return sorted(by_system.values(), key=lambda s: s["system"])


# --- in-process scheduler --------------------------------------------------------------------


class MonitorScheduler:
    """Runs :func:`run_due` every ``interval`` seconds in a daemon thread (for the demo).

    In production run ``steward monitor run`` from cron or an orchestrator instead.
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
        self.runs.extend(outcome)
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
            self._thread = threading.Thread(target=self._loop, name="steward-monitor",
                                            daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None


# --- helpers ---------------------------------------------------------------------------------


def _check_name(name: str) -> None:
    if not name or not name.strip() or len(name) > 120:
        raise InvalidInput(BAD_NAME)


def _system(unit: Unit, system_id: int) -> AISystem:
    system = unit.session.get(AISystem, system_id)
    if system is None:
        raise NotFound(f"no AI system with id {system_id}")
    return system


def _monitor(unit: Unit, monitor_id: int) -> Monitor:
    monitor = unit.session.get(Monitor, monitor_id)
    if monitor is None:
        raise NotFound(f"no monitor with id {monitor_id}")
    return monitor
