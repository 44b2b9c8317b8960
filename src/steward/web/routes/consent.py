"""Consent page: coverage per purpose and jurisdiction, over time (Plotly, offline), the
purposes, a lookup of one person's current consent, and two forms: filter an audience file for
a system or a purpose, and opt people out in bulk (an upload or a list of identifiers)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from steward.errors import InvalidInput, StewardError
from steward.services import consent, consent_audience, consent_files
from steward.services.sessions import WebIdentity
from steward.web.deps import get_runtime, page
from steward.web.forms import many, text
from steward.web.rendering import render

router = APIRouter(include_in_schema=False)
Reader = Annotated[WebIdentity, page(consent.READ_CONSENT)]
Filterer = Annotated[WebIdentity, page(consent_audience.FILTER_AUDIENCES)]
Recorder = Annotated[WebIdentity, page(consent.RECORD_CONSENT)]


def _chart(series: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, list]]]:
    chart: dict[str, dict[str, dict[str, list]]] = {}
    for point in series:
        line = chart.setdefault(point["purpose"], {}).setdefault(
            point["jurisdiction"], {"month": [], "coverage": [], "people": []})
        line["month"].append(point["month"])
        line["coverage"].append(point["coverage"])
        line["people"].append(point["people"])
    return chart


def _index(request: Request, identity: WebIdentity, *, subject: str | None = None,
           status_code: int = 200, **results: Any) -> Response:
    person, error = None, None
    roles = identity.actor.roles
    can_filter = consent_audience.FILTER_AUDIENCES.allows(roles)
    can_record = consent.RECORD_CONSENT.allows(roles)
    with get_runtime(request).unit(identity.actor) as unit:
        data = consent_audience.coverage(unit)
        files = consent_files.audience_files(unit) if can_filter else []
        systems = consent_files.audience_systems(unit) if can_filter else []
        if subject:
            try:
                person = consent.lookup(unit, subject)
            except InvalidInput as exc:
                error = exc.message
    context: dict[str, Any] = {"filter_values": {}, "opt_out_values": {}, **results}
    return render(request, "consent/index.html", identity=identity, data=data,
                  chart=_chart(data["series"]), person=person, subject=subject or "",
                  error=error, files=files, systems=systems, can_filter=can_filter,
                  can_record=can_record, status_code=status_code, **context)


@router.get("/consent")
def consent_page(request: Request, identity: Reader, subject: str | None = None) -> Response:
    return _index(request, identity, subject=subject)


def _target(value: str) -> dict[str, Any]:
    """``system:<id>`` or ``purpose:<key>``, from the filter form's one select."""
    kind, _, name = value.partition(":")
    if kind == "system" and name.isdigit():
        return {"system_id": int(name), "purpose": None}
    if kind == "purpose" and name:
        return {"system_id": None, "purpose": name}
    raise InvalidInput("choose a system or a purpose to filter for")


@router.post("/consent/filter")
async def filter_audience(request: Request, identity: Filterer) -> Response:
    form = await request.form()
    values = {"source": text(form, "source"), "target": text(form, "target"),
              "subject_column": text(form, "subject_column") or "subject",
              "jurisdiction_column": text(form, "jurisdiction_column"),
              "write_denied": text(form, "write_denied") == "yes"}

    def run() -> dict[str, Any]:
        if not values["source"]:
            raise InvalidInput("choose an audience file")
        with get_runtime(request).unit(identity.actor) as unit:
            return consent_files.filter_file(
                unit, source=values["source"], **_target(values["target"]),
                subject_column=values["subject_column"],
                jurisdiction_column=values["jurisdiction_column"] or None,
                write_denied=values["write_denied"])

    try:
        result = await run_in_threadpool(run)
    except StewardError as exc:
        return _index(request, identity, filter_values=values, filter_error=exc.message,
                      status_code=exc.status)
    return _index(request, identity, filter_values=values, filtered=result)


def _opt_out_options(form: FormData) -> dict[str, Any]:
    return {"purposes": many(form, "purposes"), "status": text(form, "status") or "withdrawn",
            "jurisdiction": text(form, "jurisdiction") or None}


@router.post("/consent/opt-outs")
async def opt_out(request: Request, identity: Recorder) -> Response:
    form = await request.form()
    upload = form.get("file")
    listed = [line.strip() for line in text(form, "subjects").splitlines() if line.strip()]
    options = _opt_out_options(form)
    column = text(form, "subject_column") or "subject"
    values = {**options, "subjects": text(form, "subjects"), "subject_column": column}

    def run() -> dict[str, Any]:
        has_file = isinstance(upload, UploadFile) and bool(upload.filename)
        if has_file == bool(listed):
            raise InvalidInput("upload a file or list identifiers, one per line (not both)")
        with get_runtime(request).unit(identity.actor) as unit:
            if isinstance(upload, UploadFile) and has_file:
                return consent_files.opt_out_upload(unit, upload.filename or "", upload.file,
                                                    subject_column=column, **options)
            return consent_files.opt_out_subjects(unit, listed, **options)

    try:
        result = await run_in_threadpool(run)
    except StewardError as exc:
        return _index(request, identity, opt_out_values=values, opt_out_error=exc.message,
                      status_code=exc.status)
    return _index(request, identity, opted_out=result)
