"""Appending to and reading the hash-chained audit log.

There is deliberately no update or delete here. ``append`` runs inside the caller's transaction, so
an entry exists exactly when the change it records was committed. On PostgreSQL a transaction-level
advisory lock serialises appends (a trigger also refuses UPDATE and DELETE on the table); on SQLite
every transaction already starts with ``BEGIN IMMEDIATE``. The unique ``seq`` and ``prev_hash``
columns make a fork impossible even if locking were bypassed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from steward.core.audit_chain import GENESIS_HASH, canonical_json, entry_hash
from steward.storage.orm.audit import AuditEntry

AUDIT_LOCK_KEY = 0x53_54_57_41  # "STWA"


def _timestamp(now: datetime | None = None) -> str:
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def append(
    session: Session,
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id: str | int,
    before: Any = None,
    after: Any = None,
) -> AuditEntry:
    """Append one entry chained to the current head, in the session's transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK_KEY})
    head = session.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    seq, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS_HASH)
    before_value = json.loads(canonical_json(before))
    after_value = json.loads(canonical_json(after))
    fields: dict[str, Any] = {
        "seq": seq,
        "at": _timestamp(),
        "actor": actor,
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "before": before_value,
        "after": after_value,
        "prev_hash": prev_hash,
    }
    entry = AuditEntry(
        **{**fields, "before": canonical_json(before_value), "after": canonical_json(after_value)},
        hash=entry_hash(fields),
    )
    session.add(entry)
    session.flush()
    return entry


RECORD_FIELDS = (
    "seq", "at", "actor", "action", "object_type", "object_id", "before", "after", "prev_hash",
    "hash",
)
_COLUMNS = [getattr(AuditEntry, name) for name in RECORD_FIELDS]


def as_record(row: Any) -> dict[str, Any]:
    """An entry (ORM object or row) as exported and hashed: JSON before/after, 64-hex hashes."""
    record = {name: getattr(row, name) for name in RECORD_FIELDS}
    record["before"] = _loads(record["before"])
    record["after"] = _loads(record["after"])
    return record


def _loads(raw: str) -> Any:
    try:
        return json.loads(raw)
    except (TypeError, ValueError):
        return {"__unparseable__": raw}


def iter_records(
    session: Session,
    *,
    since: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    batch: int = 1000,
) -> Iterator[dict[str, Any]]:
    """Entries oldest first, optionally from an ISO timestamp on and for one object."""
    last_seq = 0
    while True:
        query = select(*_COLUMNS).where(AuditEntry.seq > last_seq)
        if since:
            query = query.where(AuditEntry.at >= since)
        if object_type:
            query = query.where(AuditEntry.object_type == object_type)
        if object_id is not None:
            query = query.where(AuditEntry.object_id == object_id)
        rows = session.execute(query.order_by(AuditEntry.seq).limit(batch)).all()
        if not rows:
            return
        for row in rows:
            yield as_record(row)
        last_seq = rows[-1].seq


def count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def recent(session: Session, *, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    """Newest entries first, for listing pages."""
    rows = session.execute(
        select(*_COLUMNS).order_by(AuditEntry.seq.desc()).limit(limit).offset(offset)
    ).all()
    return [as_record(r) for r in rows]
