"""The content guard as the API shows it."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Verdict = Literal["pass", "review", "block"]


class ContentMetaIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ai_generated: bool = False
    presented_as: Literal["review", "testimonial", "endorsement"] | None = None
    endorsement: bool = False
    insider: bool = False
    ai_disclosure: bool = False
    in_thread: bool = False
    prior_consent: bool = False
    customer_facing: bool = True
    jurisdictions: list[str] = Field(default_factory=list, max_length=50)


class ScanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=1_000_000)
    channel: Literal["email", "sms", "social", "ad", "web", "chat"] | None = None
    metadata: ContentMetaIn = Field(default_factory=ContentMetaIn)


class BatchItemIn(ScanIn):
    id: str | int | None = None


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[BatchItemIn] = Field(min_length=1, max_length=10_000)


class CitationOut(BaseModel):
    instrument: str
    article: str
    url: str


class FindingOut(BaseModel):
    rule: str
    family: str
    severity: Literal["block", "review", "info"]
    title: str
    start: int
    end: int
    text: str
    citation: CitationOut
    suggestion: str
    entity_type: str | None = None


class ScanOut(BaseModel):
    verdict: Verdict
    sha256: str
    policy_version: str
    findings: list[FindingOut]


class BatchResultOut(BaseModel):
    id: str | int | None
    verdict: Verdict
    findings: list[FindingOut]


class SubmitIn(ScanIn):
    title: str = Field(default="", max_length=200)
    system_id: int | None = None
    campaign: str | None = Field(default=None, max_length=200)


class ReviewOut(BaseModel):
    decision: str
    comment: str
    reviewer: str
    created_at: str | None


class ReceiptOut(BaseModel):
    content_sha256: str
    item_id: int
    status: Literal["passed", "approved"]
    verdict: Verdict
    policy_version: str
    reviewer: str | None
    approved_at: str | None
    signature: str


class ItemOut(BaseModel):
    id: int
    sha256: str
    title: str
    channel: str | None
    metadata: dict[str, Any]
    system_id: int | None
    system: str | None
    campaign: str | None
    verdict: Verdict
    status: str
    policy_version: str
    submitted_by: str
    reviewer: str | None
    decided_at: str | None
    created_at: str | None
    updated_at: str | None
    findings: list[FindingOut]
    reviews: list[ReviewOut]
    text: str | None = None
    receipt: ReceiptOut | None = None


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "request_changes", "reject"]
    comment: str = Field(default="", max_length=10_000)


class CredentialsOut(BaseModel):
    state: Literal["Trusted", "Valid", "Invalid", "None"]
    reasons: list[str]
    title: str | None
    generator: str | None
    digital_source_type: str | None
    ai_generated: bool
    signer: str | None
    signed_at: str | None
    manifest_label: str | None
    software_agent: str | None
    sha256: str
    registered_asset: dict[str, Any] | None = None


class AssetOut(BaseModel):
    id: int
    sha256: str
    source_sha256: str | None
    system_id: int | None
    system: str | None
    campaign: str | None
    file_name: str
    mime_type: str
    manifest_label: str | None
    status: str
    signed_by: str
    signed_at: str
