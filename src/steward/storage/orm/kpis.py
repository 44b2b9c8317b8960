"""KPIs: performance figures per AI system, campaign, metric and day (for balanced scorecards)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from steward.storage.orm.base import Base, UTCDateTime, utcnow
from steward.storage.orm.systems import AISystem


class Kpi(Base):
    """One figure: a system's (and optionally a campaign's) value of a metric on a day.

    ``campaign`` is ``""`` for a figure of the whole system, so the unique key works on every
    database (NULLs never clash). Ingesting the same key again replaces the value.
    """

    __tablename__ = "kpis"
    __table_args__ = (UniqueConstraint("system_id", "campaign", "metric", "day",
                                       name="uq_kpis_point"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    system_id: Mapped[int] = mapped_column(ForeignKey("ai_systems.id", ondelete="CASCADE"),
                                           index=True)
    campaign: Mapped[str] = mapped_column(String(200), default="")
    metric: Mapped[str] = mapped_column(String(64), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(200), default="")
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    system: Mapped[AISystem] = relationship(lazy="raise")
