"""Governance records: policy versions and attestations, training, reviews and approvals,
incidents, feedback, and auditors' grants."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from steward.storage.orm.base import Base, JSONType, UTCDateTime, utcnow
from steward.storage.orm.people import User
from steward.storage.orm.systems import AISystem


class PolicyVersion(Base):
    """One version of the policy pack. Drafts change; a published version never does."""

    __tablename__ = "policy_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    title: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), index=True)
    document: Mapped[str] = mapped_column(Text)
    content_sha256: Mapped[str] = mapped_column(String(64))
    changelog: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by: Mapped[str | None] = mapped_column(String(200), default=None)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class Attestation(Base):
    __tablename__ = "attestations"
    __table_args__ = (UniqueConstraint("user_id", "policy_version_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    policy_version_id: Mapped[int] = mapped_column(ForeignKey("policy_versions.id"), index=True)
    attested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")
    policy_version: Mapped[PolicyVersion] = relationship(lazy="joined")


class TrainingModule(Base):
    __tablename__ = "training_modules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    audience_roles: Mapped[list[str]] = mapped_column(JSONType, default=list)
    content_link: Mapped[str] = mapped_column(String(2000), default="")
    validity_months: Mapped[int] = mapped_column(Integer, default=12)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TrainingCompletion(Base):
    __tablename__ = "training_completions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("training_modules.id"), index=True)
    completed_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")
    module: Mapped[TrainingModule] = relationship(lazy="joined")


class Review(Base):
    """An item in the committee's queue: a gate request for a system (content reviews live with
    the content guard and are listed beside these)."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    system_id: Mapped[int] = mapped_column(ForeignKey("ai_systems.id", ondelete="CASCADE"),
                                           index=True)
    target_stage: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    requested_by: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_on: Mapped[date | None] = mapped_column(Date, default=None)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    policy_version: Mapped[int | None] = mapped_column(Integer, default=None)

    system: Mapped[AISystem] = relationship(lazy="joined")
    decisions: Mapped[list[ReviewDecision]] = relationship(
        back_populates="review", cascade="all, delete-orphan", lazy="selectin",
        order_by="ReviewDecision.id")


class ReviewDecision(Base):
    __tablename__ = "review_decisions"
    __table_args__ = (UniqueConstraint("review_id", "user_id", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"),
                                           index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    decision: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    review: Mapped[Review] = relationship(back_populates="decisions")
    user: Mapped[User] = relationship(lazy="joined")


class Incident(Base):
    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    system_id: Mapped[int | None] = mapped_column(
        ForeignKey("ai_systems.id", ondelete="SET NULL"), index=True, default=None)
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[str] = mapped_column(String(16), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    source: Mapped[str] = mapped_column(String(32))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    remediation: Mapped[str] = mapped_column(Text, default="")
    post_incident_review: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    system: Mapped[AISystem | None] = relationship(lazy="joined")
    owner: Mapped[User | None] = relationship(lazy="joined")


class Feedback(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    system_id: Mapped[int | None] = mapped_column(
        ForeignKey("ai_systems.id", ondelete="SET NULL"), index=True, default=None)
    source: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(64), default="")
    message: Mapped[str] = mapped_column(Text)
    rating: Mapped[int | None] = mapped_column(Integer, default=None)
    status: Mapped[str] = mapped_column(String(24), index=True)
    triage_note: Mapped[str] = mapped_column(Text, default="")
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), default=None)
    proposed_change: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    triaged_by: Mapped[str | None] = mapped_column(String(200), default=None)
    triaged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    meta: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)

    system: Mapped[AISystem | None] = relationship(lazy="joined")


class AuditorGrant(Base):
    """Read-only access of an auditor to one system, until it expires or is revoked."""

    __tablename__ = "auditor_grants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    system_id: Mapped[int] = mapped_column(ForeignKey("ai_systems.id", ondelete="CASCADE"),
                                           index=True)
    granted_by: Mapped[str] = mapped_column(String(200))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    user: Mapped[User] = relationship(lazy="joined")
    system: Mapped[AISystem] = relationship(lazy="joined")
