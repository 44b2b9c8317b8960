"""Privacy requests as the API takes them (paths are under the server's data directory)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Source = Field(min_length=1, max_length=1000,
               description="a Parquet or CSV table under the data directory (relative to it)")


class ScanRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str = Source
    sample: int = Field(default=1000, ge=10, le=100_000, description="values sampled per column")
    backend: Literal["duckdb", "spark"] = "duckdb"


class AnonymizeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str = Source
    plan: str | dict[str, Any] = Field(description="the plan: YAML text or its mapping")
    out: str | None = Field(default=None, max_length=1000,
                            description="output path under the data directory (default: "
                                        "anonymized/<name>-anonymized-<time>.parquet)")
    system_id: int | None = Field(default=None, description="keep the result as evidence here")
    purpose: str = Field(default="model_training", max_length=100)
    backend: Literal["duckdb", "spark"] = "duckdb"


class RiskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str = Source
    quasi_identifiers: list[str] = Field(min_length=1, max_length=30)
    k: int | None = Field(default=None, ge=1, description="default: the policy's")
    sensitive: list[str] = Field(default_factory=list, max_length=30)
    l: int | None = Field(default=None, ge=1)  # noqa: E741 - the l of l-diversity
    backend: Literal["duckdb", "spark"] = "duckdb"


class RevealRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tokens: list[str] = Field(min_length=1, max_length=100,
                              description="vault tokens (tok_ and 32 hex digits)")
    reason: str = Field(min_length=1, max_length=500,
                        description="why the values are needed (kept in the audit log)")
