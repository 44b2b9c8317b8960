"""Fairness audits as a use case: run, judge by the policy in force, keep as evidence, compare.

:func:`run_fairness_audit` runs :func:`steward.engines.fairness.audit_fairness` with the
thresholds of the policy version in force (the pack's ``fairness.*`` thresholds; the engine's
defaults for any the pack does not name), then judges the result by the pack's ``audit`` rules.
The overall verdict is the engine's verdict made stricter by the policy's decision: a rule of
severity ``block`` that fires makes it ``fail``, one of severity ``warn`` makes it at least
``warn``; neither can make it better. The policy's fired rules are added to the findings, each
with its citation, and the policy version is recorded with the result.

On an AI system the result is stored as evidence of kind ``fairness_audit`` (the full JSON as
payload, the data's fingerprint, the policy version), so a stage gate can require it and the
next run is compared with it: the verdict then and now, and each group column's worst
selection-rate ratio.

Paths: the CLI may read any local path; the API and the web (``confine=True``) read only files
under the data directory, and a web upload is saved under ``<data_dir>/uploads`` with a random
name.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select

from steward.core.policy import Decision, evaluate
from steward.core.roles import ANY_READER, Role, write_access
from steward.engines.backends import BackendName, ProgressCallback, open_table
from steward.engines.fairness import FairnessThresholds, audit_fairness
from steward.errors import InvalidInput, NotFound, StewardError
from steward.services import auditors, data_paths, policy
from steward.services.evidence import get_evidence, list_evidence, record_evidence
from steward.services.gates import system_facts
from steward.services.runtime import Unit
from steward.storage.orm import AISystem, Evidence

RUN_AUDITS = write_access(Role.DATA_SCIENCE, Role.MARKETING, Role.PRIVACY, Role.LEGAL,
                          Role.COMMITTEE)
KIND = "fairness_audit"
UPLOADS = "uploads"
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
DEFAULT_MIN_GROUP_SIZE = 30

NOT_AN_AUDIT = "no fairness audit with id {id}"
BAD_UPLOAD = "{name}: upload a .csv or .parquet file"
UPLOAD_TOO_LARGE = "the upload is larger than {mb} MB"
BAD_POLICY_THRESHOLD = "policy version {version}: {problem}"

THRESHOLD_NAMES: dict[str, str] = {
    "fairness.selection_rate_ratio_min": "min_selection_rate_ratio",
    "fairness.equalized_odds_max": "max_equalized_odds_difference",
    "fairness.equal_opportunity_max": "max_equal_opportunity_difference",
    "fairness.demographic_parity_max": "max_demographic_parity_difference",
    "fairness.representation_ratio_min": "min_representation_ratio",
    "fairness.alpha": "alpha",
    "fairness.correction": "correction",
    "fairness.judge_intersections": "judge_intersections",
}
"""Policy-pack threshold names and the :class:`FairnessThresholds` fields they set."""

_RANK = {"pass": 0, "warn": 1, "fail": 2}
_POLICY_VERDICT = {"block": "fail", "warn": "warn", "pass": "pass", "info": "pass"}


# --- judgement --------------------------------------------------------------------------------


def policy_thresholds(pack: Any, version: int) -> tuple[FairnessThresholds, int]:
    """The engine's thresholds and the minimum group size a policy pack sets (defaults else)."""
    values = {field: pack.thresholds[name] for name, field in THRESHOLD_NAMES.items()
              if name in pack.thresholds}
    try:
        thresholds = FairnessThresholds(**values)
    except (InvalidInput, TypeError) as exc:
        raise InvalidInput(BAD_POLICY_THRESHOLD.format(version=version, problem=exc)) from None
    size = pack.thresholds.get("fairness.min_group_size", DEFAULT_MIN_GROUP_SIZE)
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise InvalidInput(BAD_POLICY_THRESHOLD.format(
            version=version, problem=f"fairness.min_group_size must be a positive integer, "
                                     f"not {size!r}"))
    return thresholds, size


def combine(engine_verdict: str, outcome: str) -> str:
    """The engine's verdict made stricter by the policy's outcome (never more lenient)."""
    policy_verdict = _POLICY_VERDICT[outcome]
    return max(engine_verdict, policy_verdict, key=_RANK.__getitem__)


def _policy_facts(result: dict[str, Any]) -> dict[str, Any]:
    """The result as the policy reads it (calibration bins left out: no rule needs them)."""
    def lean(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{k: v for k, v in e.items() if k != "calibration"} for e in entries]

    facts = {k: v for k, v in result.items() if k not in ("overall", "groups", "intersections")}
    facts["groups"] = lean(result["groups"])
    facts["intersections"] = lean(result["intersections"])
    return facts


def _policy_findings(decision: Decision) -> list[dict[str, Any]]:
    findings = []
    for rule in decision.fired:
        citation = rule.citation
        findings.append({
            "metric": f"policy:{rule.id}", "scope": "policy",
            "verdict": _POLICY_VERDICT[rule.severity], "reason": rule.message,
            "group": None, "value": None, "threshold": None, "test": None, "p_value": None,
            "p_adjusted": None, "citation": f"{citation.instrument}, {citation.article}",
            "rule": rule.id, "severity": rule.severity, "title": rule.title,
        })
    return findings


def worst_ratios(result: dict[str, Any]) -> dict[str, float | None]:
    """Each group column's lowest selection-rate ratio among the groups large enough to judge."""
    worst: dict[str, float | None] = {column: None for column in result["options"]["groups"]}
    for entry in result["groups"]:
        ratio = entry.get("selection_rate_ratio")
        if ratio is None or not entry.get("judged"):
            continue
        scope = entry["scope"]
        current = worst.get(scope)
        worst[scope] = ratio if current is None else min(current, ratio)
    return worst


# --- running ----------------------------------------------------------------------------------


def _system(unit: Unit, system_id: int) -> AISystem:
    system = unit.session.get(AISystem, system_id)
    if system is None:
        raise NotFound(f"no AI system with id {system_id}")
    return system


def _path(unit: Unit, path: str, confine: bool) -> str:
    return data_paths.resolve(unit, path, confine=confine)


def _shown(unit: Unit, path: str, confine: bool) -> str:
    return data_paths.shown(unit, path, confine=confine)


def run_fairness_audit(
    unit: Unit,
    *,
    source: str,
    groups: Sequence[str],
    decision: str,
    threshold: float | None = None,
    label: str | None = None,
    score: str | None = None,
    intersections: bool = False,
    reference: str | None = None,
    min_group_size: int | None = None,
    system_id: int | None = None,
    backend: BackendName = "duckdb",
    progress: ProgressCallback | None = None,
    confine: bool = False,
    keep: bool = False,
    group_data_note: str | None = None,
) -> dict[str, Any]:
    """Audit a decision table, judge it by the policy in force, and keep it on a system.

    Returns the engine's JSON result with the combined ``verdict`` (``engine_verdict`` is the
    engine's own), the ``policy`` that judged it, the ``scope`` of the audit, and ``evidence``
    and ``comparison`` (with the system's previous audit) when it was stored. It is stored when
    ``system_id`` is given, or without a system when ``keep`` is true (the web keeps every run).
    ``min_group_size`` defaults to the policy's ``fairness.min_group_size``.
    """
    unit.require(RUN_AUDITS, "run fairness audits")
    system = _system(unit, system_id) if system_id is not None else None
    in_force = policy.in_force(unit)
    thresholds, policy_min = policy_thresholds(in_force.pack, in_force.version)
    note = (group_data_note or "").strip()[:2000] or None
    result = audit_fairness(
        _path(unit, source, confine), groups=list(groups), decision=decision,
        threshold=threshold, label=label or None, score=score or None,
        intersections=intersections,
        reference=_path(unit, reference, confine) if reference else None,
        min_group_size=min_group_size if min_group_size is not None else policy_min,
        thresholds=thresholds, backend=backend, progress=progress,
    )
    data = result.to_dict()
    judged = evaluate(in_force.pack, applies_to="audit", facts={
        "result": _policy_facts(data), "system": system_facts(system) if system else {}})
    data["engine_verdict"] = data["verdict"]
    data["verdict"] = combine(data["verdict"], judged.outcome)
    data["verdicts"]["policy"] = _POLICY_VERDICT[judged.outcome]
    data["findings"] = [*data["findings"], *_policy_findings(judged)]
    data["policy"] = {"version": in_force.version, "title": in_force.title,
                      **judged.to_dict()}
    data["scope"] = {
        "source": _shown(unit, source, confine),
        "reference": _shown(unit, reference, confine) if reference else None,
        "system": {"id": system.id, "name": system.name, "purpose": system.purpose,
                   "stage": system.stage} if system else None,
        "group_data_note": note,
        "audited_at": datetime.now(UTC).isoformat(), "audited_by": unit.actor.label,
    }
    data["evidence"] = data["comparison"] = None
    if system is not None or keep:
        previous = _previous(unit, system.id) if system is not None else None
        payload = {k: v for k, v in data.items() if k not in ("evidence", "comparison")}
        summary = _summary(data)
        data["evidence"] = record_evidence(
            unit, kind=KIND, title=_title(data), payload=payload,
            system_id=system.id if system else None, verdict=data["verdict"], summary=summary,
            data_fingerprint=data["fingerprint"], policy_version=str(in_force.version))
        if previous is not None:
            data["comparison"] = compare(summary, data["fingerprint"], previous)
    return data


def _title(data: dict[str, Any]) -> str:
    source = Path(data["scope"]["source"]).name or data["scope"]["source"]
    return (f"Fairness audit of {data['options']['decision']} by "
            f"{', '.join(data['options']['groups'])} ({source})")


def _summary(data: dict[str, Any]) -> dict[str, Any]:
    return {"rows": data["rows"], "verdict": data["verdict"],
            "engine_verdict": data["engine_verdict"],
            "policy_outcome": data["policy"]["outcome"],
            "worst_selection_rate_ratio": worst_ratios(data),
            "groups": list(data["options"]["groups"]), "decision": data["options"]["decision"],
            "source": data["scope"]["source"]}


# --- reading and comparing ------------------------------------------------------------------


def _previous(unit: Unit, system_id: int, *, before: int | None = None) -> dict[str, Any] | None:
    query = (select(Evidence).where(Evidence.system_id == system_id, Evidence.kind == KIND)
             .order_by(Evidence.id.desc()).limit(1))
    if before is not None:
        query = query.where(Evidence.id < before)
    item = unit.session.scalar(query)
    if item is None:
        return None
    return {"id": item.id, "verdict": item.verdict, "summary": item.summary or {},
            "data_fingerprint": item.data_fingerprint or {},
            "created_at": item.created_at.isoformat()}


def compare(summary: dict[str, Any], fingerprint: dict[str, Any] | None,
            previous: dict[str, Any]) -> dict[str, Any]:
    """This run against the system's previous audit: verdict and worst-ratio changes."""
    before = previous.get("verdict") or "pass"
    now = summary["verdict"]
    change = ("same" if _RANK.get(now, 0) == _RANK.get(before, 0)
              else "worse" if _RANK.get(now, 0) > _RANK.get(before, 0) else "better")
    old_ratios = (previous.get("summary") or {}).get("worst_selection_rate_ratio") or {}
    ratios = {}
    for column in sorted({*summary["worst_selection_rate_ratio"], *old_ratios}):
        new_value = summary["worst_selection_rate_ratio"].get(column)
        old_value = old_ratios.get(column)
        ratios[column] = {"previous": old_value, "current": new_value,
                          "change": None if new_value is None or old_value is None
                          else new_value - old_value}
    old_sha = (previous.get("data_fingerprint") or {}).get("sha256")
    new_sha = (fingerprint or {}).get("sha256")
    return {"previous_id": previous["id"], "previous_at": previous.get("created_at"),
            "previous_verdict": before, "verdict": now, "verdict_change": change,
            "previous_rows": (previous.get("summary") or {}).get("rows"),
            "rows": summary["rows"],
            "same_data": None if not (old_sha and new_sha) else old_sha == new_sha,
            "worst_selection_rate_ratio": ratios}


def get_audit(unit: Unit, evidence_id: int) -> dict[str, Any]:
    """A stored audit (evidence with its payload) and its comparison with the one before it."""
    try:
        record = get_evidence(unit, evidence_id)
    except NotFound:
        raise NotFound(NOT_AN_AUDIT.format(id=evidence_id)) from None
    if record["kind"] != KIND:
        raise NotFound(NOT_AN_AUDIT.format(id=evidence_id))
    record["comparison"] = None
    if record["system_id"] is not None:
        previous = _previous(unit, record["system_id"], before=evidence_id)
        if previous is not None and record["summary"].get("worst_selection_rate_ratio") is not \
                None:
            record["comparison"] = compare(record["summary"], record["data_fingerprint"],
                                           previous)
    return record


def list_audits(unit: Unit, *, system_id: int | None = None,
                limit: int = 100) -> list[dict[str, Any]]:
    """Stored fairness audits, newest first (of one system, or all the actor may see)."""
    return list_evidence(unit, system_id=system_id, kind=KIND, limit=limit)


def system_names(unit: Unit) -> dict[int, str]:
    """Names of the AI systems the actor may see, by id (for lists and forms)."""
    unit.require(ANY_READER, "list AI systems")
    query = select(AISystem.id, AISystem.name).order_by(AISystem.name)
    visible = auditors.visible_system_ids(unit)
    if visible is not None:
        query = query.where(AISystem.id.in_(visible or {-1}))
    return {row.id: row.name for row in unit.session.execute(query)}


# --- data files under the data directory -----------------------------------------------------


def data_files(unit: Unit) -> list[dict[str, Any]]:
    """CSV and Parquet files under the data directory, newest first (paths relative to it)."""
    unit.require(RUN_AUDITS, "list data files")
    return data_paths.data_files(unit.settings.data_dir)


def table_columns(unit: Unit, source: str, *, confine: bool = True) -> list[dict[str, str]]:
    """A table's columns (name, type, kind), read from its header through the backend."""
    unit.require(RUN_AUDITS, "read data files")
    with open_table(_path(unit, source, confine), hash_files=False) as table:
        return [{"name": name, "type": str(kind_name), "kind": table.kinds[name]}
                for name, kind_name in table.columns.items()]


def save_upload(unit: Unit, filename: str, stream: IO[bytes], *,
                max_bytes: int = MAX_UPLOAD_BYTES) -> dict[str, Any]:
    """Save an uploaded CSV or Parquet file under ``<data_dir>/uploads`` with a random name.

    Returns the path relative to the data directory and the table's columns; a file that is too
    large or cannot be read as a table is removed and refused.
    """
    unit.require(RUN_AUDITS, "upload data files")
    suffix = Path(filename or "").suffix.lower()
    if suffix not in data_paths.DATA_SUFFIXES:
        raise InvalidInput(BAD_UPLOAD.format(name=filename or "the file"))
    folder = Path(unit.settings.data_dir).resolve() / UPLOADS
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{uuid.uuid4().hex}{suffix}"
    written = 0
    try:
        with target.open("wb") as out:
            while chunk := stream.read(1024 * 1024):
                written += len(chunk)
                if written > max_bytes:
                    raise InvalidInput(UPLOAD_TOO_LARGE.format(mb=max_bytes // (1024 * 1024)))
                out.write(chunk)
        relative = f"{UPLOADS}/{target.name}"
        columns = table_columns(unit, relative)
    except StewardError:
        target.unlink(missing_ok=True)
        raise
    except OSError as exc:
        target.unlink(missing_ok=True)
        raise InvalidInput(f"{filename}: could not be saved ({exc.strerror})") from None
    record = {"path": relative, "name": filename, "bytes": written, "columns": columns}
    unit.audit("data.upload", "data_file", relative,
               after={"path": relative, "name": filename, "bytes": written})
    return record

