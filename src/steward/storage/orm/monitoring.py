"""Monitoring: scheduled checks per AI system, and the alerts they raise."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from steward.storage.orm.base import Base, JSONType, UTCDateTime, utcnow
from steward.storage.orm.systems import AISystem


class Monitor(Base):
    """What to check on a system, against what, how often, and what to do when it fires."""

    __tablename__ = "monitors"
    __table_args__ = (UniqueConstraint("system_id", "name", name="uq_monitors_system_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    system_id: Mapped[int] = mapped_column(ForeignKey("ai_systems.id", ondelete="CASCADE"),
                                           index=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(32), default="drift")
    profile_evidence_id: Mapped[int | None] = mapped_column(Integer, default=None)
    current_path: Mapped[str] = mapped_column(Text)
    columns: Mapped[list[str]] = mapped_column(JSONType, default=list)
    thresholds: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    config: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    every_minutes: Mapped[int] = mapped_column(Integer, default=1440)
    open_incident: Mapped[bool] = mapped_column(Boolean, default=False)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    next_run_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    last_status: Mapped[str | None] = mapped_column(String(16), default=None)
    last_message: Mapped[str | None] = mapped_column(Text, default=None)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    system: Mapped[AISystem] = relationship(lazy="joined")


class Alert(Base):
    """A threshold crossed (or a check that failed), open until someone acknowledges it."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    system_id: Mapped[int | None] = mapped_column(
        ForeignKey("ai_systems.id", ondelete="CASCADE"), index=True, default=None)
    monitor_id: Mapped[int | None] = mapped_column(
        ForeignKey("monitors.id", ondelete="SET NULL"), index=True, default=None)
    evidence_id: Mapped[int | None] = mapped_column(Integer, default=None)
    kind: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(200), default=None)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    system: Mapped[AISystem | None] = relationship(lazy="joined")
