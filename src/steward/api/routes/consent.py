"""Consent: decode strings, record events (the endpoint a CMP or website calls), look people up,
check them against a system, receipts, access and erasure, bulk opt-outs and audience filters
(files under the server's data directory)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Header, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.types import Receive, Scope, Send

from steward.api import fast
from steward.api.deps import Caller, RuntimeDep, allow, allow_in_unit, caller_on_loop
from steward.api.schemas.consent import AudienceFilterRequest, OptOutRequest
from steward.core.roles import ANY_READER
from steward.errors import InvalidInput
from steward.services import consent, consent_audience, consent_files, consent_rights
from steward.services.runtime import Actor

router = APIRouter(prefix="/api/v1/consent", tags=["consent"])
Reader = Annotated[Actor, allow(ANY_READER)]
ConsentReader = Annotated[Actor, allow(consent.READ_CONSENT)]
Recorder = Annotated[Actor, allow(consent.RECORD_CONSENT)]
Exporter = Annotated[Actor, allow(consent_rights.EXPORT_SUBJECTS)]
Eraser = Annotated[Actor, allow(consent_rights.ERASE_SUBJECTS)]
Filterer = Annotated[Actor, allow(consent_audience.FILTER_AUDIENCES)]


class DecodeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    strings: list[str] = Field(min_length=1, max_length=1000)


class DecodedOut(BaseModel):
    index: int
    fields: dict[str, Any] | None
    error: str | None


class EventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: str = Field(min_length=1, max_length=320)
    purpose: str = Field(min_length=1, max_length=64)
    status: str
    lawful_basis: str = "consent"
    source: str = "api"
    notice: str | None = Field(default=None, max_length=200)
    notice_version: str | None = Field(default=None, max_length=64)
    jurisdiction: str | None = Field(default=None, max_length=16)
    occurred_at: str | None = None
    evidence: str | None = Field(default=None, max_length=100_000)
    idempotency_key: str | None = Field(default=None, max_length=200)


class RecordIn(BaseModel):
    """Events, or one subject's consent string (TC or GPP), and/or a GPC signal."""

    model_config = ConfigDict(extra="forbid")

    events: list[EventIn] = Field(default_factory=list, max_length=1000)
    subject: str | None = Field(default=None, max_length=320)
    consent_string: str | None = Field(default=None, max_length=100_000)
    jurisdiction: str | None = Field(default=None, max_length=16)
    occurred_at: str | None = None
    gpc: bool = False


class SubjectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: str = Field(min_length=1, max_length=320)


class ErasureIn(SubjectIn):
    reason: str = Field(min_length=1, max_length=2000)
    request_ref: str | None = Field(default=None, max_length=200)


@router.post("/decode", response_model=list[DecodedOut])
def decode(body: DecodeIn, actor: Reader) -> list[dict[str, Any]]:
    """Decode TC and GPP strings; each result has its fields or the reason it was refused."""
    return [{"index": d.index, "fields": d.fields, "error": d.error}
            for d in consent.decode_strings(body.strings)]


@router.get("/purposes")
def purposes(runtime: RuntimeDep, actor: ConsentReader) -> list[dict[str, Any]]:
    """Steward's consent purposes: fideslang data uses, TCF purposes, GPC and jurisdiction rules."""
    with runtime.unit(actor) as unit:
        return consent.list_purposes(unit)


@router.post("/events", status_code=201)
def record(body: RecordIn, runtime: RuntimeDep, actor: Recorder, response: Response,
           idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
           sec_gpc: Annotated[str | None, Header()] = None) -> dict[str, Any]:
    """Record consent events (idempotent). ``Idempotency-Key`` applies to a request with one
    event or one consent string; ``Sec-GPC: 1`` (or ``gpc: true``) records a GPC signal.
    Answers 201 when something was recorded, 200 when everything already was."""
    gpc = body.gpc or consent.gpc_signal(sec_gpc)
    events = [e.model_dump() for e in body.events]
    if idempotency_key and len(events) == 1 and not events[0]["idempotency_key"]:
        events[0]["idempotency_key"] = idempotency_key
    with runtime.unit(actor) as unit:
        if body.consent_string is not None:
            if not body.subject or events:
                raise InvalidInput("a consent string needs a subject and no events")
            results = consent.record_string(unit, body.subject, body.consent_string,
                                            jurisdiction=body.jurisdiction,
                                            occurred_at=body.occurred_at,
                                            idempotency_key=idempotency_key, gpc=gpc)
        elif events:
            results = consent.record_events(unit, events, gpc=gpc)
        elif gpc and body.subject:
            results = consent.record_gpc(unit, body.subject, jurisdiction=body.jurisdiction)
        else:
            raise InvalidInput("give events, a subject with a consent string, or a GPC signal")
    if not any(r["created"] for r in results):
        response.status_code = 200
    return {"receipts": results}


@router.get("/receipts/{event_id}")
def receipt(event_id: int, runtime: RuntimeDep, actor: ConsentReader) -> dict[str, Any]:
    with runtime.unit(actor) as unit:
        return consent.receipt(unit, event_id)


@router.post("/access")
def access(body: SubjectIn, runtime: RuntimeDep, actor: Exporter) -> dict[str, Any]:
    """Everything the ledger holds on a person (POST keeps the identifier out of URLs)."""
    with runtime.unit(actor) as unit:
        return consent_rights.export_subject(unit, body.subject)


@router.post("/erasure")
def erasure(body: ErasureIn, runtime: RuntimeDep, actor: Eraser) -> dict[str, Any]:
    """Erase a person from the ledger; only the erasure record stays."""
    with runtime.unit(actor) as unit:
        return consent_rights.erase_subject(unit, body.subject, reason=body.reason,
                                            request_ref=body.request_ref)


@router.post("/opt-outs", status_code=201)
def opt_out(body: OptOutRequest, runtime: RuntimeDep, actor: Recorder,
            response: Response) -> dict[str, Any]:
    """Opt people out in bulk (``steward consent opt-out``): a list of identifiers or a file
    under the data directory, for some purposes (default all). ``rows`` events were asked for,
    ``added`` recorded; sent again with the same ``occurred_at`` it adds nothing and answers
    200 instead of 201."""
    options = {"purposes": body.purposes, "status": body.status,
               "jurisdiction": body.jurisdiction, "occurred_at": body.occurred_at}
    with runtime.unit(actor) as unit:
        if body.file is not None:
            result = consent_files.opt_out_file(unit, body.file,
                                                subject_column=body.subject_column, **options)
        else:
            result = consent_files.opt_out_subjects(unit, body.subjects or [], **options)
    if not result["added"]:
        response.status_code = 200
    return result


@router.post("/filter")
def filter_audience(body: AudienceFilterRequest, runtime: RuntimeDep,
                    actor: Filterer) -> dict[str, Any]:
    """Keep only the people in an audience file who may be processed (``steward consent
    filter``): ``rows``, ``allowed``, ``refused`` and ``by_reason``, the ``outputs`` written
    under ``audiences/``, and the policy's ``verdict`` (a ``block`` is an answer, not an
    error). On a system the result is kept as its ``audience_filter`` evidence."""
    with runtime.unit(actor) as unit:
        return consent_files.filter_file(
            unit, source=body.source, system_id=body.system_id, purpose=body.purpose,
            subject_column=body.subject_column, jurisdiction_column=body.jurisdiction_column,
            hashed=body.hashed, out=body.out, denied=body.denied,
            write_denied=body.write_denied, criteria=body.criteria, backend=body.backend)


@router.get("/{subject}/check")
def check(subject: str, runtime: RuntimeDep, actor: ConsentReader,
          system_id: Annotated[int, Query()],
          jurisdiction: Annotated[str | None, Query(max_length=16)] = None) -> dict[str, Any]:
    """May this person be processed by this AI system, and why."""
    with runtime.unit(actor) as unit:
        return consent.check(unit, subject, system_id=system_id, jurisdiction=jurisdiction)


def _encoded(answer: dict[str, Any]) -> bytes:
    return json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _lookup(caller: Caller, subject: str, purpose: str | None,
            jurisdiction: str | None) -> bytes:
    runtime = caller.runtime
    return _encoded(consent.quick_lookup(runtime, caller.verified(runtime), subject,
                                         purpose=purpose, jurisdiction=jurisdiction))


LOOKUP_PATH = "/api/v1/consent/{subject}"
LOOKUP_LIMITS = {"purpose": 64, "jurisdiction": 16}  # as the declared route's Query(max_length)


async def fast_lookup(scope: Scope, receive: Receive, send: Send) -> None:
    """``GET /api/v1/consent/{subject}`` on the fast path (:mod:`steward.api.fast`): the same
    answers as :func:`lookup` below, which stays declared (OpenAPI, access) and answers what
    the fast path declines. No dependency solving and, on PostgreSQL, no thread hop: a token
    verified lately is read from the cache and the state with the async driver, both on the
    event loop (SQLite: one hop, as before)."""
    request = Request(scope, receive)
    actor = await caller_on_loop(request, consent.READ_CONSENT)
    query = scope[fast.QUERY]
    answer = await consent.quick_lookup_on_loop(
        request.app.state.runtime, actor, scope["path_params"]["subject"],
        purpose=query["purpose"], jurisdiction=query["jurisdiction"])
    await Response(_encoded(answer), media_type="application/json")(scope, receive, send)


def install_fast_lookup(app: FastAPI) -> None:
    """Serve the lookup on the fast path (call once every route of ``app`` is added)."""
    fast.install(app, LOOKUP_PATH, fast_lookup, limits=LOOKUP_LIMITS)


@router.get("/{subject}", response_class=Response,
            responses={200: {"content": {"application/json": {"schema": {
                "type": "object", "additionalProperties": True}}}}})
async def lookup(subject: str, caller: Annotated[Caller, allow_in_unit(consent.READ_CONSENT)],
                 purpose: Annotated[str | None,
                                    Query(max_length=LOOKUP_LIMITS["purpose"])] = None,
                 jurisdiction: Annotated[str | None,
                                         Query(max_length=LOOKUP_LIMITS["jurisdiction"])] = None
                 ) -> Response:
    """A person's current consent, for one purpose or all (the identifier is hashed, not kept).
    Usually served by :func:`fast_lookup`; here, what it declines (a parameter over its
    limit): one thread hop and one statement outside any transaction (a token not verified
    lately is read first), answered as JSON bytes encoded in that thread."""
    body = await run_in_threadpool(_lookup, caller, subject, purpose, jurisdiction)
    return Response(body, media_type="application/json")
