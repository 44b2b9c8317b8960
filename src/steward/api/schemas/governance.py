"""Policy, gates and reviews, training, incidents, feedback and auditor grants in the API."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PolicyDraftIn(Strict):
    document: str | None = Field(default=None, max_length=1_000_000,
                                 description="YAML; omit to copy the version in force")


class PolicyDocumentIn(Strict):
    document: str = Field(max_length=1_000_000)


class PolicyVersionOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    version: int
    title: str
    status: Literal["draft", "published", "superseded"]
    content_sha256: str
    created_by: str
    published_at: str | None
    changelog: str


class GateMissing(BaseModel):
    kind: str
    detail: str


class GateCheckOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    allowed: bool
    missing: list[GateMissing]
    policy_version: int


class ReviewRequestIn(Strict):
    to: Literal["pilot", "production"]
    note: str = Field(default="", max_length=5000)
    due_on: date | None = None


class ReviewDecisionIn(Strict):
    decision: Literal["approve", "reject", "request_changes"]
    role: str | None = None
    comment: str = Field(default="", max_length=5000)


class MoveIn(Strict):
    to: Literal["proposed", "pilot", "production", "suspended"]
    reason: str = Field(default="", max_length=5000)


class TrainingModuleIn(Strict):
    code: str = Field(min_length=2, max_length=64)
    title: str = Field(min_length=1, max_length=500)
    audience_roles: list[str] = Field(min_length=1)
    content_link: str = Field(default="", max_length=2000)
    validity_months: int = Field(default=12, ge=1, le=120)


class CompletionIn(Strict):
    username: str | None = None
    module: str
    completed_on: date | None = None


class IncidentIn(Strict):
    title: str = Field(min_length=1, max_length=500)
    severity: Literal["low", "medium", "high", "critical"]
    system_id: int | None = None
    description: str = Field(default="", max_length=20_000)
    owner: str | None = None


class IncidentPatch(Strict):
    status: Literal["open", "mitigating", "resolved", "closed"] | None = None
    severity: Literal["low", "medium", "high", "critical"] | None = None
    remediation: str | None = Field(default=None, max_length=20_000)
    post_incident_review: str | None = Field(default=None, max_length=20_000)
    owner: str | None = None


class FeedbackIn(Strict):
    message: str = Field(min_length=1, max_length=10_000)
    source: Literal["customer", "staff"] = "customer"
    system_id: int | None = None
    channel: str = Field(default="", max_length=64)
    rating: int | None = Field(default=None, ge=1, le=5)


class TriageIn(Strict):
    action: Literal["incident", "policy_change", "dismiss"]
    note: str = Field(default="", max_length=5000)
    severity: Literal["low", "medium", "high", "critical"] = "medium"
    proposed_change: str = Field(default="", max_length=20_000)


class GrantIn(Strict):
    username: str
    system_id: int
    days: int = Field(default=30, ge=1, le=366)


Record = dict[str, Any]
