"""Fairness audits as the API takes them (the result is the engine's JSON contract, extended)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Column = str


class FairnessAuditRequest(BaseModel):
    """Paths are read on the server and must lie under its data directory (relative to it)."""

    model_config = ConfigDict(extra="forbid")

    source: str = Field(min_length=1, max_length=1000,
                        description="the decision table (Parquet or CSV) under the data directory")
    groups: list[Column] = Field(min_length=1, max_length=20,
                                 description="group columns, each reported on its own")
    decision: Column = Field(min_length=1, max_length=300,
                             description="0/1 decisions, or a score with `threshold`")
    threshold: float | None = Field(default=None, description="selected when decision >= this")
    label: Column | None = Field(default=None, max_length=300, description="the 0/1 outcome")
    score: Column | None = Field(default=None, max_length=300,
                                 description="a score in [0, 1] for calibration")
    intersections: bool = False
    reference: str | None = Field(default=None, max_length=1000,
                                  description="the population to compare reach against")
    min_group_size: int | None = Field(default=None, ge=1,
                                       description="default: the policy's minimum group size")
    system_id: int | None = Field(default=None,
                                  description="record the audit as evidence on this system")
    group_data_note: str | None = Field(default=None, max_length=2000,
                                        description="how the group data was obtained")
    backend: Literal["duckdb", "spark"] = "duckdb"
