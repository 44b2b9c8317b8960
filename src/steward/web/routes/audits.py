"""Fairness audit pages: the list, picking or uploading a table, choosing its columns, running
an audit, reading its verdict and charts (Plotly, offline), and the printable report."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from steward.core.roles import ANY_READER
from steward.errors import InvalidInput, StewardError
from steward.services import audits, reports
from steward.services.reports import group_name, render_fairness_report, report_context
from steward.services.sessions import WebIdentity
from steward.web.deps import get_runtime, page
from steward.web.forms import many, text
from steward.web.rendering import csp_with_styles, render

router = APIRouter(include_in_schema=False)
Reader = Annotated[WebIdentity, page(ANY_READER)]
Runner = Annotated[WebIdentity, page(audits.RUN_AUDITS)]


def _index(request: Request, identity: WebIdentity, *, error: str | None = None,
           status_code: int = 200) -> Response:
    can_run = audits.RUN_AUDITS.allows(identity.actor.roles)
    with get_runtime(request).unit(identity.actor) as unit:
        rows = audits.list_audits(unit)
        names = audits.system_names(unit)
        files = audits.data_files(unit) if can_run else []
    return render(request, "audits/index.html", identity=identity, audits=rows, names=names,
                  files=files, can_run=can_run, error=error, status_code=status_code,
                  max_mb=audits.MAX_UPLOAD_BYTES // (1024 * 1024))


@router.get("/audits")
def audits_page(request: Request, identity: Reader) -> Response:
    return _index(request, identity)


@router.post("/audits/upload")
async def upload(request: Request, identity: Runner) -> Response:
    form = await request.form()
    file = form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        return _index(request, identity, error="choose a CSV or Parquet file to upload",
                      status_code=422)

    def save() -> dict[str, Any]:
        with get_runtime(request).unit(identity.actor) as unit:
            return audits.save_upload(unit, file.filename or "", file.file)

    try:
        saved = await run_in_threadpool(save)
    except StewardError as exc:
        return _index(request, identity, error=exc.message, status_code=exc.status)
    return RedirectResponse(f"/audits/new?source={saved['path']}", status_code=303)


def _new_form(request: Request, identity: WebIdentity, source: str, *,
              values: dict[str, Any] | None = None, error: str | None = None,
              status_code: int = 200) -> Response:
    columns: list[dict[str, str]] = []
    with get_runtime(request).unit(identity.actor) as unit:
        try:
            columns = audits.table_columns(unit, source)
        except StewardError as exc:
            error, status_code = exc.message, exc.status
        files = audits.data_files(unit)
        names = audits.system_names(unit)
    return render(request, "audits/new.html", identity=identity, source=source,
                  columns=columns, files=files, systems=names, values=values or {},
                  error=error, status_code=status_code)


@router.get("/audits/new")
def new_audit_page(request: Request, identity: Runner, source: str = "",
                   system_id: int | None = None) -> Response:
    if not source:
        return RedirectResponse("/audits", status_code=303)
    return _new_form(request, identity, source, values={"system_id": system_id})


def _number(value: str, kind: type, name: str) -> Any:
    if not value:
        return None
    try:
        return kind(value)
    except ValueError:
        raise InvalidInput(f"{name} must be a number, not {value!r}") from None


@router.post("/audits/new")
async def run_audit(request: Request, identity: Runner) -> Response:
    form = await request.form()
    source = text(form, "source")
    values: dict[str, Any] = {
        "groups": many(form, "groups"), "decision": text(form, "decision"),
        "threshold": text(form, "threshold"), "label": text(form, "label"),
        "score": text(form, "score"), "intersections": text(form, "intersections") == "yes",
        "reference": text(form, "reference"), "min_group_size": text(form, "min_group_size"),
        "system_id": text(form, "system_id"), "group_data_note": text(form, "group_data_note"),
    }

    def run() -> dict[str, Any]:
        with get_runtime(request).unit(identity.actor) as unit:
            return audits.run_fairness_audit(
                unit, source=source, groups=values["groups"], decision=values["decision"],
                threshold=_number(values["threshold"], float, "the threshold"),
                label=values["label"] or None, score=values["score"] or None,
                intersections=values["intersections"], reference=values["reference"] or None,
                min_group_size=_number(values["min_group_size"], int, "the minimum group size"),
                system_id=_number(values["system_id"], int, "the system"),
                group_data_note=values["group_data_note"], confine=True, keep=True)

    try:
        result = await run_in_threadpool(run)
    except StewardError as exc:
        return _new_form(request, identity, source, values=values, error=exc.message,
                         status_code=exc.status)
    return RedirectResponse(f"/audits/{result['evidence']['id']}", status_code=303)


def _chart(context: dict[str, Any]) -> dict[str, Any]:
    result = context["result"]
    groups = [{"label": group_name(g["group"]), "scope": g["scope"],
               "rate": g["selection_rate"], "low": g["selection_rate_ci"][0],
               "high": g["selection_rate_ci"][1], "ratio": g["selection_rate_ratio"],
               "judged": g["judged"], "n": g["n"]} for g in result.get("groups", [])]
    calibration = []
    for g in result.get("groups", []):
        bins = [b for b in (g.get("calibration") or []) if b["n"]]
        if bins:
            calibration.append({"label": group_name(g["group"]),
                                "x": [b["mean_score"] for b in bins],
                                "y": [b["observed_rate"] for b in bins],
                                "n": [b["n"] for b in bins]})
    return {"groups": groups, "line": context["ratio_line"], "calibration": calibration}


@router.get("/audits/{evidence_id}")
def audit_page(request: Request, evidence_id: int, identity: Reader) -> Response:
    with get_runtime(request).unit(identity.actor) as unit:
        record = audits.get_audit(unit, evidence_id)
        names = audits.system_names(unit)
    context = report_context(record)
    response = render(request, "audits/detail.html", identity=identity, audit=record,
                      system_name=names.get(record["system_id"]) if record["system_id"]
                      else None, chart=_chart(context), **context)
    return response


@router.get("/audits/{evidence_id}/report")
def report_page(request: Request, evidence_id: int, identity: Reader) -> Response:
    """The printable report: a standalone document whose only style is its own stylesheet."""
    with get_runtime(request).unit(identity.actor) as unit:
        record = audits.get_audit(unit, evidence_id)
    policy = csp_with_styles(reports.style_source())
    return HTMLResponse(render_fairness_report(record),
                        headers={"Content-Security-Policy": policy})
