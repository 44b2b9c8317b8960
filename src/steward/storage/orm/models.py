"""Registered model files (the only ones Steward will load) and versioned model cards."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from steward.storage.orm.base import Base, JSONType, UTCDateTime, utcnow
from steward.storage.orm.systems import AISystem


class ModelFile(Base):
    """A model file copied into the data directory under its SHA-256, for one AI system."""

    __tablename__ = "model_files"
    __table_args__ = (UniqueConstraint("system_id", "sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    system_id: Mapped[int] = mapped_column(
        ForeignKey("ai_systems.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(300))
    path: Mapped[str] = mapped_column(Text)
    format: Mapped[str] = mapped_column(String(16))
    bytes: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[str | None] = mapped_column(String(100), default=None)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    registered_by: Mapped[str] = mapped_column(String(200))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    system: Mapped[AISystem] = relationship(lazy="joined")


class ModelCard(Base):
    """One saved version of a system's model card: the fields people wrote and a snapshot of
    the whole card as it was (inventory and evidence included), with its hash."""

    __tablename__ = "model_cards"
    __table_args__ = (UniqueConstraint("system_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    system_id: Mapped[int] = mapped_column(
        ForeignKey("ai_systems.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    fields: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    content_sha256: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text, default=None)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
