"""Consent strings (the ledger's endpoints join this router)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from steward.api.deps import allow
from steward.core.roles import ANY_READER
from steward.services import consent
from steward.services.runtime import Actor

router = APIRouter(prefix="/api/v1/consent", tags=["consent"])
Reader = Annotated[Actor, allow(ANY_READER)]


class DecodeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    strings: list[str] = Field(min_length=1, max_length=1000)


class DecodedOut(BaseModel):
    index: int
    fields: dict[str, Any] | None
    error: str | None


@router.post("/decode", response_model=list[DecodedOut])
def decode(body: DecodeIn, actor: Reader) -> list[dict[str, Any]]:
    """Decode TC and GPP strings; each result has its fields or the reason it was refused."""
    return [{"index": d.index, "fields": d.fields, "error": d.error}
            for d in consent.decode_strings(body.strings)]
