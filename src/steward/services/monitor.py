"""Drift checks and reference profiles of AI systems' data.

- **Drift checks** compare a current table with a reference table or a stored reference
  profile (:mod:`steward.engines.drift`); on a system, the result is evidence of kind
  ``drift_check`` (verdict ``pass``, ``warn`` when some columns drifted, ``drift`` when the
  table did).
- **Reference profiles** are summaries of a reference table, saved once under
  ``<data_dir>/profiles`` and recorded as evidence of kind ``drift_profile`` pointing to them, so
  later checks never read the reference data again.
- **Trends**: each system's drift checks over time, for the monitoring page.

Scheduled checks of every kind live in :mod:`steward.services.monitors`, their alerts in
:mod:`steward.services.alerts`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from steward.core.roles import ANY_READER, Role, write_access
from steward.engines.drift import DriftReport, ReferenceProfile, check_drift
from steward.errors import InvalidInput, NotFound
from steward.services import auditors, data_paths, policy
from steward.services.evidence import (
    get_evidence,
    list_evidence,
    record_evidence,
)
from steward.services.runtime import Unit
from steward.storage.orm import AISystem, Evidence

RUN_CHECKS = write_access(Role.DATA_SCIENCE, Role.IT, Role.PRIVACY, Role.LEGAL, Role.COMMITTEE,
                          Role.MARKETING)
PROFILE_KIND = "drift_profile"
CHECK_KIND = "drift_check"
NO_REFERENCE = "give a reference table or a stored profile, not both and not neither"
NO_PROFILE = "no drift profile {ref!r}"
BAD_NAME = "a name must be 1-120 characters"


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


def verdict_of(report: DriftReport) -> str:
    if report.dataset_drift:
        return "drift"
    return "warn" if report.drifted_columns else "pass"


def create_profile(unit: Unit, source: str, *, system_id: int, name: str,
                   columns: Sequence[str] | None = None, sample_size: int | None = None,
                   confine: bool = False) -> dict[str, Any]:
    """Profile a reference table once, save it under the data directory, record the evidence."""
    unit.require(RUN_CHECKS, "store drift profiles")
    check_name(name)
    system_of(unit, system_id)
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
        system_of(unit, system_id)
    report = check_drift(ref_source, _source(unit, current, confine), columns=columns,
                         thresholds={**policy_thresholds(unit), **dict(thresholds or {})})
    result = report.to_dict()
    result["evidence"] = None
    if system_id is not None:
        result["evidence"] = record_check(unit, report, system_id=system_id,
                                           profile_id=profile_record and profile_record["id"])
    return result


def record_check(unit: Unit, report: DriftReport, *, system_id: int,
                  profile_id: int | None, monitor: str | None = None) -> dict[str, Any]:
    payload = report.to_dict()
    summary = {"drift_share": report.drift_share, "dataset_drift": report.dataset_drift,
               "drifted_columns": list(report.drifted_columns), "profile_id": profile_id,
               "monitor": monitor,
               "psi": {c.column: c.psi for c in report.stats}}
    title = f"Drift check{f' ({monitor})' if monitor else ''}: " \
            f"{len(report.drifted_columns)} of {len(report.stats)} columns drifted"
    return record_evidence(unit, kind=CHECK_KIND, title=title, system_id=system_id,
                           payload=payload, verdict=verdict_of(report), summary=summary,
                           data_fingerprint=report.current)


# --- trends ----------------------------------------------------------------------------------


def evidence_by_system(unit: Unit, kinds: Sequence[str], *, system_id: int | None = None,
                       limit: int = 500) -> dict[int, list[Evidence]]:
    """The newest ``limit`` pieces of evidence of ``kinds`` the actor may see, per system,
    oldest first (for trend charts)."""
    query = (_visible(unit, select(Evidence), Evidence.system_id)
             .where(Evidence.kind.in_(list(kinds)), Evidence.system_id.is_not(None))
             .order_by(Evidence.created_at.desc(), Evidence.id.desc()).limit(limit))
    if system_id is not None:
        query = query.where(Evidence.system_id == system_id)
    by_system: dict[int, list[Evidence]] = {}
    for item in reversed(unit.session.scalars(query).all()):
        by_system.setdefault(int(item.system_id or 0), []).append(item)
    return by_system


def drift_trends(unit: Unit, *, system_id: int | None = None, limit: int = 500
                 ) -> list[dict[str, Any]]:
    """Per system, its drift checks oldest first: time, drift share, verdict, PSI per column."""
    unit.require(ANY_READER, "read drift trends")
    out = []
    for sid, items in evidence_by_system(unit, [CHECK_KIND], system_id=system_id,
                                         limit=limit).items():
        out.append({"system_id": sid, "system": items[0].system.name if items[0].system else "",
                    "points": [{"at": item.created_at.isoformat(), "evidence_id": item.id,
                                "verdict": item.verdict,
                                "drift_share": (item.summary or {}).get("drift_share"),
                                "psi": (item.summary or {}).get("psi", {}),
                                "monitor": (item.summary or {}).get("monitor")}
                               for item in items]})
    return sorted(out, key=lambda s: s["system"])


# --- helpers ---------------------------------------------------------------------------------


def check_name(name: str) -> None:
    if not name or not name.strip() or len(name) > 120:
        raise InvalidInput(BAD_NAME)


def system_of(unit: Unit, system_id: int) -> AISystem:
    system = unit.session.get(AISystem, system_id)
    if system is None:
        raise NotFound(f"no AI system with id {system_id}")
    return system

