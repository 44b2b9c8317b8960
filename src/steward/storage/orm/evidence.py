"""Evidence: stored engine results (audits, scans, model cards) with their hashes and freshness."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from steward.storage.orm.base import Base, JSONType, UTCDateTime, utcnow
from steward.storage.orm.systems import AISystem


class Evidence(Base):
    """One result, immutable once stored: a new run makes a new row, so history is kept."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    system_id: Mapped[int | None] = mapped_column(
        ForeignKey("ai_systems.id", ondelete="CASCADE"), index=True, default=None)
    kind: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(500))
    verdict: Mapped[str | None] = mapped_column(String(16), default=None)
    summary: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    content_sha256: Mapped[str] = mapped_column(String(64))
    data_fingerprint: Mapped[dict[str, Any] | None] = mapped_column(JSONType, default=None)
    file_path: Mapped[str | None] = mapped_column(Text, default=None)
    policy_version: Mapped[str | None] = mapped_column(String(32), default=None)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    stale_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    system: Mapped[AISystem | None] = relationship(lazy="joined")
