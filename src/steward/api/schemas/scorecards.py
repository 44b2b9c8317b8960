"""KPI figures as the API takes them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class KpiFigure(BaseModel):
    """One figure; ``system`` is the AI system's id or exact name."""

    model_config = ConfigDict(extra="forbid")

    date: str = Field(description="ISO date, YYYY-MM-DD", examples=["2026-03-02"])
    system: str | int = Field(description="the AI system's id or exact name")
    campaign: str = Field(default="", max_length=200, description="empty for the whole system")
    metric: str = Field(min_length=1, max_length=64, examples=["click_through"])
    value: float


class KpiBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    figures: list[KpiFigure] = Field(min_length=1, max_length=200_000)
    source: str = Field(default="api", max_length=200, description="where the figures come from")


class IngestOut(BaseModel):
    figures: int
    inserted: int
    replaced: int
    unchanged: int
    systems: list[int]
    source: str
