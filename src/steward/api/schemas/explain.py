"""Explanations and model cards as the API takes them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ExplainRequest(BaseModel):
    """Explain a registered model (by id) on a table under the server's data directory."""

    model_config = ConfigDict(extra="forbid")

    model_id: int = Field(description="a registered model file's id (only those are loaded)")
    source: str = Field(min_length=1, max_length=1000,
                        description="the customers (Parquet or CSV) under the data directory")
    row: str | None = Field(default=None, max_length=200,
                            description="the id of the person to explain")
    id_column: str | None = Field(default=None, max_length=300)
    top: int = Field(default=3, ge=1, le=10, description="how many reasons to give")
    sample: int | None = Field(default=None, ge=1, le=5000,
                               description="rows explained for the global importance")
    record: bool = Field(default=False,
                         description="keep the global importance as evidence on the system")


class ModelCardSave(BaseModel):
    """A new card version: the fields given over the latest version's."""

    model_config = ConfigDict(extra="forbid")

    fields: dict[str, str] = Field(description="card fields to set (an empty text clears one)")
    note: str | None = Field(default=None, max_length=2000, description="why it was saved")
    expected_version: int | None = Field(
        default=None, ge=0, description="the version you edited (409 if it has moved on)")
