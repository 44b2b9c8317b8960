"""AI systems, obligations and risk classification as the API shows them."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from steward.core.systems import SystemChanges, SystemSpec

SystemIn = SystemSpec


class SystemPatch(SystemChanges):
    expected_version: int | None = Field(
        default=None, description="refuse the change (409) if the system changed since this version"
    )


class Citation(BaseModel):
    instrument: str
    article: str
    url: str


class ObligationOut(BaseModel):
    id: str
    title: str
    description: str
    citation: Citation
    party: str
    stage: str
    applies_from: date
    in_force: bool
    status: Literal["open", "met", "waived", "withdrawn"]
    waiver_reason: str | None
    decided_by: str | None
    evidence_link: str | None
    due_date: date | None
    updated_at: str | None


class ObligationDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["open", "met", "waived"]
    reason: str | None = Field(default=None, max_length=5000)
    evidence_link: str | None = Field(default=None, max_length=2000)
    due_date: date | None = None


class SystemSummary(BaseModel):
    id: int
    name: str
    purpose: str
    owner: str
    business_unit: str
    stage: str
    tier: str | None
    risk_score: int | None
    vendor: str | None
    ai_kinds: list[str]
    channels: list[str]
    customer_facing: bool
    jurisdictions: list[str]
    updated_at: str | None


class SystemOut(SystemSummary):
    description: str
    product: str | None
    model_name: str | None
    model_version: str | None
    hosting: str | None
    vendor_trains_on_our_data: bool | None
    training_opt_out: bool | None
    output_ip_indemnity: bool | None
    trained_only_on_own_data: bool
    training_data_sources: list[dict[str, Any]]
    data_categories: list[str]
    data_uses: list[str]
    consent_purposes: list[str]
    classified_at: str | None
    created_at: str | None
    retired_at: str | None
    version: int
    obligations: list[ObligationOut]


class Retirement(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=5000)


class ClassificationOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    tier: Literal["prohibited", "high", "limited", "minimal"]
    reasons: list[str]
    obligations: list[dict[str, Any]]
    risk_score: int


class ClassifiedSystem(BaseModel):
    system: SystemOut
    classification: ClassificationOut


class ImportResult(BaseModel):
    created: int
    updated: int
