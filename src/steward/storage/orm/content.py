"""Content guard records: scanned items, their reviews, and the register of AI-generated assets."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from steward.storage.orm.base import Base, JSONType, UTCDateTime, utcnow
from steward.storage.orm.systems import AISystem


class ContentItem(Base):
    """A piece of content submitted before sending, with its scan, status and receipt."""

    __tablename__ = "content_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text)
    channel: Mapped[str | None] = mapped_column(String(16), default=None)
    meta: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    system_id: Mapped[int | None] = mapped_column(
        ForeignKey("ai_systems.id", ondelete="SET NULL"), index=True, default=None)
    campaign: Mapped[str | None] = mapped_column(String(200), index=True, default=None)
    verdict: Mapped[str] = mapped_column(String(16))
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    policy_version: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(24), index=True)
    submitted_by: Mapped[str] = mapped_column(String(200))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    reviewer: Mapped[str | None] = mapped_column(String(200), default=None)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    receipt_signature: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    system: Mapped[AISystem | None] = relationship(lazy="joined")
    reviews: Mapped[list[ContentReview]] = relationship(
        back_populates="item", cascade="all, delete-orphan", lazy="selectin",
        order_by="ContentReview.id")


class ContentReview(Base):
    """One reviewer's decision or comment on an item."""

    __tablename__ = "content_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("content_items.id", ondelete="CASCADE"),
                                         index=True)
    decision: Mapped[str] = mapped_column(String(24))
    comment: Mapped[str] = mapped_column(Text, default="")
    reviewer: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[ContentItem] = relationship(back_populates="reviews")


class AIAsset(Base):
    """An AI-generated asset Steward signed (or registered), per AI system and campaign."""

    __tablename__ = "ai_assets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    source_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    system_id: Mapped[int | None] = mapped_column(
        ForeignKey("ai_systems.id", ondelete="SET NULL"), index=True, default=None)
    campaign: Mapped[str | None] = mapped_column(String(200), index=True, default=None)
    file_name: Mapped[str] = mapped_column(String(500))
    mime_type: Mapped[str] = mapped_column(String(64))
    manifest_label: Mapped[str | None] = mapped_column(String(200), default=None)
    status: Mapped[str] = mapped_column(String(16), index=True)
    signed_by: Mapped[str] = mapped_column(String(200))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    system: Mapped[AISystem | None] = relationship(lazy="joined")
