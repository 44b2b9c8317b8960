"""Evidence: engine results stored on an AI system for gates, scorecards and auditors to rely on.

A piece of evidence is immutable: its payload (the engine's JSON result), the SHA-256 of that
payload's canonical JSON, the fingerprint of the data it was computed on, the policy version that
judged it, who recorded it, and when it goes stale. Re-running an audit adds a new piece; the
previous one stays for comparison.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from steward.core.audit_chain import canonical_json
from steward.core.roles import ANY_READER, Role, write_access
from steward.errors import InvalidInput, NotFound
from steward.services import auditors
from steward.services.runtime import Unit
from steward.storage.orm import AISystem, Evidence

RECORD_EVIDENCE = write_access(Role.DATA_SCIENCE, Role.PRIVACY, Role.LEGAL, Role.IT,
                               Role.MARKETING, Role.COMMITTEE)
DEFAULT_FRESH_DAYS = 90


def payload_hash(payload: Any) -> str:
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


def evidence_record(item: Evidence, *, with_payload: bool = False) -> dict[str, Any]:
    now = datetime.now(UTC)
    record: dict[str, Any] = {
        "id": item.id, "system_id": item.system_id, "kind": item.kind, "title": item.title,
        "verdict": item.verdict, "summary": item.summary, "content_sha256": item.content_sha256,
        "data_fingerprint": item.data_fingerprint, "file_path": item.file_path,
        "policy_version": item.policy_version, "created_by": item.created_by,
        "created_at": item.created_at.isoformat(),
        "stale_at": item.stale_at.isoformat() if item.stale_at else None,
        "stale": bool(item.stale_at and item.stale_at <= now),
    }
    if with_payload:
        record["payload"] = item.payload
    return record


def record_evidence(
    unit: Unit,
    *,
    kind: str,
    title: str,
    payload: dict[str, Any],
    system_id: int | None = None,
    verdict: str | None = None,
    summary: dict[str, Any] | None = None,
    data_fingerprint: dict[str, Any] | None = None,
    file_path: str | None = None,
    policy_version: str | None = None,
    fresh_days: int | None = DEFAULT_FRESH_DAYS,
) -> dict[str, Any]:
    """Store an engine result as evidence (on a system when ``system_id`` is given)."""
    unit.require(RECORD_EVIDENCE, "record evidence")
    if system_id is not None and unit.session.get(AISystem, system_id) is None:
        raise NotFound(f"no AI system with id {system_id}")
    if not kind or len(kind) > 64:
        raise InvalidInput("evidence kind must be 1-64 characters")
    now = datetime.now(UTC)
    item = Evidence(
        system_id=system_id, kind=kind, title=title[:500], verdict=verdict,
        summary=summary or {}, payload=payload, content_sha256=payload_hash(payload),
        data_fingerprint=data_fingerprint, file_path=file_path, policy_version=policy_version,
        created_by=unit.actor.label, created_at=now,
        stale_at=now + timedelta(days=fresh_days) if fresh_days else None,
    )
    unit.session.add(item)
    unit.session.flush()
    record = evidence_record(item)
    unit.audit("evidence.record", "ai_system" if system_id else "evidence",
               system_id if system_id else item.id, after=record)
    return record


def list_evidence(unit: Unit, *, system_id: int | None = None, kind: str | None = None,
                  limit: int = 100) -> list[dict[str, Any]]:
    """Evidence newest first, optionally for one system and kind."""
    unit.require(ANY_READER, "read evidence")
    query = select(Evidence).order_by(Evidence.created_at.desc(), Evidence.id.desc()).limit(limit)
    visible = auditors.visible_system_ids(unit)
    if system_id is not None:
        auditors.check_visible(unit, system_id, log_view="evidence list")
        query = query.where(Evidence.system_id == system_id)
    elif visible is not None:
        query = query.where(Evidence.system_id.in_(visible or {-1}))
    if kind is not None:
        query = query.where(Evidence.kind == kind)
    return [evidence_record(e) for e in unit.session.scalars(query).all()]


def latest_evidence(unit: Unit, *, system_id: int, kind: str) -> dict[str, Any] | None:
    """The newest evidence of a kind on a system (with its payload), or None."""
    unit.require(ANY_READER, "read evidence")
    auditors.check_visible(unit, system_id)
    item = unit.session.scalar(
        select(Evidence).where(Evidence.system_id == system_id, Evidence.kind == kind)
        .order_by(Evidence.created_at.desc(), Evidence.id.desc()).limit(1))
    return evidence_record(item, with_payload=True) if item else None


def get_evidence(unit: Unit, evidence_id: int) -> dict[str, Any]:
    unit.require(ANY_READER, "read evidence")
    item = unit.session.get(Evidence, evidence_id)
    if item is None or (item.system_id is None and auditors.is_restricted(unit.actor)):
        raise NotFound(f"no evidence with id {evidence_id}")
    if item.system_id is not None:
        auditors.check_visible(unit, item.system_id, log_view=f"evidence {evidence_id}")
    return evidence_record(item, with_payload=True)
