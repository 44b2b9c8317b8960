"""Audit-log entries and chain verification as the API shows them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class AuditEntryOut(BaseModel):
    seq: int
    at: str
    actor: str
    action: str
    object_type: str
    object_id: str
    before: Any
    after: Any
    prev_hash: str
    hash: str


class AuditPage(BaseModel):
    total: int
    items: list[AuditEntryOut]


class ChainBreakOut(BaseModel):
    seq: int
    reason: str


class VerificationOut(BaseModel):
    ok: bool
    entries: int
    head: str | None
    first_break: ChainBreakOut | None
