"""The content guard: scan before sending, the review queue, receipts, content credentials."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from steward.api.deps import RuntimeDep, allow
from steward.api.schemas.content import (
    AssetOut,
    BatchIn,
    BatchResultOut,
    CredentialsOut,
    DecisionIn,
    ItemOut,
    ReceiptOut,
    ScanIn,
    ScanOut,
    SubmitIn,
)
from steward.core.roles import ANY_READER
from steward.errors import InvalidInput
from steward.services import content, content_credentials
from steward.services.runtime import Actor

router = APIRouter(prefix="/api/v1/content", tags=["content"])
Reader = Annotated[Actor, allow(ANY_READER)]
Scanner = Annotated[Actor, allow(content.SCAN_CONTENT)]
Submitter = Annotated[Actor, allow(content.SUBMIT_CONTENT)]
Decider = Annotated[Actor, allow(content.DECIDE_CONTENT)]
Signer = Annotated[Actor, allow(content_credentials.SIGN_ASSETS)]
IMAGE_BODY = {"requestBody": {"content": {"image/jpeg": {"schema": {"type": "string",
                                                                     "format": "binary"}},
                                          "image/png": {"schema": {"type": "string",
                                                                   "format": "binary"}}},
                              "required": True}}


@router.post("/scan", response_model=ScanOut)
def scan(body: ScanIn, runtime: RuntimeDep, actor: Scanner) -> dict[str, Any]:
    """Scan content before sending (nothing is stored): verdict pass, review or block."""
    with runtime.unit(actor) as unit:
        return content.scan(unit, body.text, channel=body.channel,
                            metadata=body.metadata.model_dump())


@router.post("/scan/batch", response_model=list[BatchResultOut])
def scan_batch(body: BatchIn, runtime: RuntimeDep, actor: Scanner) -> list[dict[str, Any]]:
    """Scan many items in one pass; results in input order."""
    items = [{"id": i.id, "text": i.text, "channel": i.channel,
              "metadata": i.metadata.model_dump()} for i in body.items]
    with runtime.unit(actor) as unit:
        return content.scan_many_in_unit(unit, items)


@router.post("/items", response_model=ItemOut, status_code=201)
def submit(body: SubmitIn, runtime: RuntimeDep, actor: Submitter) -> dict[str, Any]:
    """Submit content for sending: passed items get a receipt, review items join the queue."""
    with runtime.unit(actor) as unit:
        return content.submit(unit, body.text, channel=body.channel,
                              metadata=body.metadata.model_dump(), system_id=body.system_id,
                              campaign=body.campaign, title=body.title)


@router.get("/items", response_model=list[ItemOut])
def list_items(runtime: RuntimeDep, actor: Reader, status: str | None = None,
               limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[dict[str, Any]]:
    """Submitted items, newest first; ``status=pending_review`` is the review queue."""
    with runtime.unit(actor) as unit:
        return content.list_items(unit, status=status, limit=limit)


@router.get("/items/{item_id}", response_model=ItemOut)
def get_item(item_id: int, runtime: RuntimeDep, actor: Reader) -> dict[str, Any]:
    with runtime.unit(actor) as unit:
        return content.get_item(unit, item_id)


@router.post("/items/{item_id}/decision", response_model=ItemOut)
def decide(item_id: int, body: DecisionIn, runtime: RuntimeDep, actor: Decider) -> dict[str, Any]:
    """Approve, request changes or reject (legal, marketing, committee; not the submitter)."""
    with runtime.unit(actor) as unit:
        return content.decide(unit, item_id, decision=body.decision, comment=body.comment)


@router.get("/receipts/{sha256}", response_model=ReceiptOut)
def receipt(sha256: str, runtime: RuntimeDep, actor: Reader) -> dict[str, Any]:
    """A publishing system's check: 200 with the receipt, or 404 — do not publish."""
    with runtime.unit(actor) as unit:
        return content.receipt(unit, sha256)


async def _image(request: Request) -> bytes:
    data = await request.body()
    if not data:
        raise InvalidInput("send the image as the request body")
    if len(data) > content_credentials.MAX_IMAGE_BYTES:
        raise InvalidInput("the image is larger than 50 MB")
    return data


@router.post("/credentials/verify", response_model=CredentialsOut, openapi_extra=IMAGE_BODY)
async def verify(request: Request, runtime: RuntimeDep, actor: Scanner) -> dict[str, Any]:
    """Read and validate an image's content credentials offline."""
    data = await _image(request)
    with runtime.unit(actor) as unit:
        return content_credentials.verify_in_unit(unit, data)


@router.post("/credentials/sign", openapi_extra=IMAGE_BODY,
             responses={200: {"content": {"image/png": {}, "image/jpeg": {}}}})
async def sign(request: Request, runtime: RuntimeDep, actor: Signer,
               file_name: Annotated[str, Query(min_length=1, max_length=500)] = "asset",
               system_id: int | None = None,
               campaign: Annotated[str | None, Query(max_length=200)] = None) -> Response:
    """Sign an AI-generated image (C2PA); the signed image comes back, registered."""
    data = await _image(request)
    with runtime.unit(actor) as unit:
        signed, record = content_credentials.sign(unit, data, file_name=file_name,
                                                  system_id=system_id, campaign=campaign)
    return Response(signed, media_type=record["mime_type"],
                    headers={"X-Steward-Asset-Id": str(record["id"])})


@router.get("/assets", response_model=list[AssetOut])
def assets(runtime: RuntimeDep, actor: Reader, system_id: int | None = None,
           campaign: str | None = None) -> list[dict[str, Any]]:
    """The register of AI-generated assets, per AI system and campaign."""
    with runtime.unit(actor) as unit:
        return content_credentials.list_assets(unit, system_id=system_id, campaign=campaign)
