"""AI systems, their risk classification and the obligations it creates."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from steward.storage.orm.base import Base, JSONType, UTCDateTime, utcnow
from steward.storage.orm.people import User


class AISystem(Base):
    __tablename__ = "ai_systems"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    purpose: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    business_unit: Mapped[str] = mapped_column(String(200), default="")
    stage: Mapped[str] = mapped_column(String(16), index=True)
    channels: Mapped[list[str]] = mapped_column(JSONType, default=list)
    ai_kinds: Mapped[list[str]] = mapped_column(JSONType, default=list)
    customer_facing: Mapped[bool] = mapped_column(Boolean, default=False)
    jurisdictions: Mapped[list[str]] = mapped_column(JSONType, default=list)

    vendor: Mapped[str | None] = mapped_column(String(200), index=True, default=None)
    product: Mapped[str | None] = mapped_column(String(200), default=None)
    model_name: Mapped[str | None] = mapped_column(String(200), default=None)
    model_version: Mapped[str | None] = mapped_column(String(200), default=None)
    hosting: Mapped[str | None] = mapped_column(String(32), default=None)
    vendor_trains_on_our_data: Mapped[bool | None] = mapped_column(Boolean, default=None)
    training_opt_out: Mapped[bool | None] = mapped_column(Boolean, default=None)
    output_ip_indemnity: Mapped[bool | None] = mapped_column(Boolean, default=None)
    trained_only_on_own_data: Mapped[bool] = mapped_column(Boolean, default=False)
    training_data_sources: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)

    data_categories: Mapped[list[str]] = mapped_column(JSONType, default=list)
    data_uses: Mapped[list[str]] = mapped_column(JSONType, default=list)
    consent_purposes: Mapped[list[str]] = mapped_column(JSONType, default=list)

    human_oversight: Mapped[bool | None] = mapped_column(Boolean, default=None)
    bot_disclosure: Mapped[bool | None] = mapped_column(Boolean, default=None)
    human_handoff: Mapped[bool | None] = mapped_column(Boolean, default=None)

    tier: Mapped[str | None] = mapped_column(String(16), index=True, default=None)
    risk_score: Mapped[int | None] = mapped_column(Integer, default=None)
    risk_answers: Mapped[dict[str, Any] | None] = mapped_column(JSONType, default=None)
    classification: Mapped[dict[str, Any] | None] = mapped_column(JSONType, default=None)
    classified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    version: Mapped[int] = mapped_column(Integer, default=1)

    owner: Mapped[User] = relationship(lazy="joined")
    obligations: Mapped[list[SystemObligation]] = relationship(
        back_populates="system", cascade="all, delete-orphan", lazy="selectin",
        order_by="SystemObligation.id",
    )

    __mapper_args__ = {"version_id_col": version}


class SystemObligation(Base):
    """One obligation the classification put on a system, tracked to closure."""

    __tablename__ = "system_obligations"
    __table_args__ = (UniqueConstraint("system_id", "obligation_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    system_id: Mapped[int] = mapped_column(ForeignKey("ai_systems.id", ondelete="CASCADE"),
                                           index=True)
    obligation_id: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    citation: Mapped[dict[str, Any]] = mapped_column(JSONType)
    party: Mapped[str] = mapped_column(String(16))
    stage: Mapped[str] = mapped_column(String(16))
    applies_from: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    waiver_reason: Mapped[str | None] = mapped_column(Text, default=None)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    evidence_link: Mapped[str | None] = mapped_column(String(2000), default=None)
    due_date: Mapped[date | None] = mapped_column(Date, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    system: Mapped[AISystem] = relationship(back_populates="obligations")
    decided_by: Mapped[User | None] = relationship(lazy="joined")
