"""The consent ledger: purposes, append-only events, the current state, and erasure proofs.

Subjects are never stored in clear: ``subject_hash`` is the HMAC-SHA256 of the normalised
identifier under the organisation's subject key. ``subject_encrypted`` holds the identifier
encrypted (Fernet) only when the organisation chose to keep it. ``consent_events`` is
append-only (a PostgreSQL trigger refuses UPDATE and DELETE unless the erasure path sets
``steward.consent_erasure`` for its transaction).

On PostgreSQL the opaque keys (``subject_hash``, ``purpose``, ``idempotency_key``) compare
bytewise (``COLLATE "C"``): they are hex digests and slugs, never text a person sorts, and the
database's own collation would make every index comparison and sort a locale call. Events are
found by subject only to answer access and erasure requests, by equality, so PostgreSQL keeps
a hash index there (a quarter of the size of the B-tree on the 64-character key, and three
times faster to maintain on bulk import; SQLite has B-trees only).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from steward.storage.orm.base import Base, JSONType, UTCDateTime, utcnow

BigId = BigInteger().with_variant(Integer, "sqlite")


def _key(length: int) -> String:
    """An opaque key column: bytewise comparison on PostgreSQL (SQLite's default already is)."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")


class ConsentPurpose(Base):
    __tablename__ = "consent_purposes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    data_uses: Mapped[list[str]] = mapped_column(JSONType, default=list)
    tcf_purposes: Mapped[list[int]] = mapped_column(JSONType, default=list)
    gpp_opt_outs: Mapped[list[str]] = mapped_column(JSONType, default=list)
    gpc: Mapped[bool] = mapped_column(Boolean, default=False)
    profiling: Mapped[bool] = mapped_column(Boolean, default=False)
    bases: Mapped[list[str]] = mapped_column(JSONType, default=list)
    rules: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConsentEvent(Base):
    """One consent event, as recorded; never changed (erasure removes a subject's rows)."""

    __tablename__ = "consent_events"
    __table_args__ = (Index("ix_consent_events_subject", "subject_hash",
                            postgresql_using="hash"),
                      {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(_key(200), unique=True)
    subject_hash: Mapped[str] = mapped_column(_key(64))
    purpose: Mapped[str] = mapped_column(_key(64))
    status: Mapped[str] = mapped_column(String(16))
    lawful_basis: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16))
    notice: Mapped[str | None] = mapped_column(String(200), default=None)
    notice_version: Mapped[str | None] = mapped_column(String(64), default=None)
    jurisdiction: Mapped[str | None] = mapped_column(String(16), default=None)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    evidence: Mapped[str | None] = mapped_column(Text, default=None)
    subject_encrypted: Mapped[str | None] = mapped_column(Text, default=None)
    recorded_by: Mapped[str] = mapped_column(String(200))


class ConsentState(Base):
    """The latest event per subject and purpose (and the last GPC signal), kept on ingest."""

    __tablename__ = "consent_state"

    subject_hash: Mapped[str] = mapped_column(_key(64), primary_key=True)
    purpose: Mapped[str] = mapped_column(_key(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    lawful_basis: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16))
    jurisdiction: Mapped[str | None] = mapped_column(String(16), default=None)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    event_id: Mapped[int] = mapped_column(BigInteger, index=True)
    gpc_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class ConsentErasure(Base):
    """What proves an erasure: the subject's hash, when, by whom, and how much was removed."""

    __tablename__ = "consent_erasures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_hash: Mapped[str] = mapped_column(_key(64), index=True)
    events_deleted: Mapped[int] = mapped_column(Integer)
    states_deleted: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")
    request_ref: Mapped[str | None] = mapped_column(String(200), default=None)
    erased_by: Mapped[str] = mapped_column(String(200))
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
