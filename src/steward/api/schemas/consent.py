"""Consent requests on files as the API takes them: audience filters and bulk opt-outs.

Paths are read on the server, relative to its data directory (``STEWARD_DATA_DIR``); audience
files are written under its ``audiences/`` folder.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Column = Field(default="subject", min_length=1, max_length=300)


class AudienceFilterRequest(BaseModel):
    """Filter an audience file for an AI system's consent purposes, or for one purpose."""

    model_config = ConfigDict(extra="forbid")

    source: str = Field(min_length=1, max_length=1000,
                        description="Parquet or CSV file (or folder) under the data directory")
    system_id: int | None = Field(default=None, description="filter for this system's "
                                                            "purposes; kept as its evidence")
    purpose: str | None = Field(default=None, max_length=64,
                                description="filter for one purpose (instead of a system)")
    subject_column: str = Column
    jurisdiction_column: str | None = Field(default=None, max_length=300)
    hashed: bool = Field(default=False, description="the subject column already holds "
                                                    "Steward subject keys")
    out: str | None = Field(default=None, max_length=1000,
                            description="allowed rows (.parquet or .csv) under audiences/ "
                                        "(default audiences/<name>-allowed-<time>.parquet)")
    denied: str | None = Field(default=None, max_length=1000,
                               description="refused rows with consent_reason, under audiences/")
    write_denied: bool = Field(default=False, description="write the refused rows to a default "
                                                          "path when `denied` is not given")
    criteria: list[str] = Field(default_factory=list, max_length=50,
                                description="fideslang categories the audience was selected on")
    backend: Literal["duckdb", "spark"] = "duckdb"


class OptOutRequest(BaseModel):
    """Opt people out in bulk: a list of identifiers, or a file under the data directory."""

    model_config = ConfigDict(extra="forbid")

    subjects: list[str] | None = Field(default=None, min_length=1, max_length=10_000,
                                       description="e-mail addresses or customer ids")
    file: str | None = Field(default=None, min_length=1, max_length=1000,
                             description="CSV/Parquet with a subject column, or a text file "
                                         "with one identifier per line, under the data directory")
    purposes: list[str] = Field(default_factory=list, max_length=50,
                                description="the purposes refused (default all)")
    status: Literal["withdrawn", "denied"] = "withdrawn"
    subject_column: str = Column
    jurisdiction: str | None = Field(default=None, max_length=16)
    occurred_at: str | None = Field(default=None, max_length=64,
                                    description="ISO 8601 time of the opt-outs (default now); "
                                                "the same request at the same time adds nothing")

    @model_validator(mode="after")
    def _one_source(self) -> OptOutRequest:
        if (self.subjects is None) == (self.file is None):
            raise ValueError("give subjects or a file, not both and not neither")
        return self
