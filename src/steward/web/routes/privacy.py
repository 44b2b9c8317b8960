"""Privacy pages: pick a table under the data directory, see what PII it holds, review and edit
the proposed plan, anonymize it (kept as evidence), and read the risk report."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from steward.core.roles import ANY_READER
from steward.errors import InvalidInput, StewardError
from steward.services import audits, privacy
from steward.services.sessions import WebIdentity
from steward.web.deps import get_runtime, page
from steward.web.forms import text
from steward.web.rendering import render

router = APIRouter(include_in_schema=False)
Reader = Annotated[WebIdentity, page(ANY_READER)]
Engineer = Annotated[WebIdentity, page(privacy.RUN_PRIVACY)]


@router.get("/privacy")
def index(request: Request, identity: Reader) -> Response:
    can_run = privacy.RUN_PRIVACY.allows(identity.actor.roles)
    with get_runtime(request).unit(identity.actor) as unit:
        rows = privacy.list_anonymizations(unit)
        names = audits.system_names(unit)
        files = privacy.data_files(unit) if can_run else []
    return render(request, "privacy/index.html", identity=identity, items=rows, names=names,
                  files=files, can_run=can_run)


def _scan_page(request: Request, identity: WebIdentity, source: str, *,
               plan_text: str | None = None, values: dict[str, Any] | None = None,
               error: str | None = None, status_code: int = 200) -> Response:
    result: dict[str, Any] | None = None
    with get_runtime(request).unit(identity.actor) as unit:
        try:
            result = privacy.make_plan(unit, source=source, confine=True)
        except StewardError as exc:
            error, status_code = exc.message, exc.status
        names = audits.system_names(unit)
    return render(request, "privacy/scan.html", identity=identity, source=source,
                  discovery=result["discovery"] if result else None,
                  plan_text=plan_text or (result["yaml"] if result else ""), systems=names,
                  values=values or {}, error=error, status_code=status_code)


@router.get("/privacy/scan")
def scan_page(request: Request, identity: Engineer, source: str = "") -> Response:
    if not source:
        return RedirectResponse("/privacy", status_code=303)
    return _scan_page(request, identity, source)


def _int(value: str, name: str) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise InvalidInput(f"{name} must be a whole number, not {value!r}") from None


@router.post("/privacy/anonymize")
async def anonymize(request: Request, identity: Engineer) -> Response:
    form = await request.form()
    source, plan_text = text(form, "source"), text(form, "plan")
    values = {"system_id": text(form, "system_id"), "purpose": text(form, "purpose")}

    def run() -> dict[str, Any]:
        with get_runtime(request).unit(identity.actor) as unit:
            return privacy.anonymize(unit, source=source, plan=plan_text,
                                     system_id=_int(values["system_id"], "the system"),
                                     purpose=values["purpose"] or privacy.DEFAULT_PURPOSE,
                                     confine=True, keep=True)

    try:
        result = await run_in_threadpool(run)
    except StewardError as exc:
        return _scan_page(request, identity, source, plan_text=plan_text, values=values,
                          error=exc.message, status_code=exc.status)
    return RedirectResponse(f"/privacy/{result['evidence']['id']}", status_code=303)


@router.get("/privacy/risk")
def risk_page(request: Request, identity: Engineer, source: str = "", qi: str = "",
              k: str = "", sensitive: str = "") -> Response:
    report, error, status_code = None, None, 200
    with get_runtime(request).unit(identity.actor) as unit:
        files = privacy.data_files(unit)
        if source and qi:
            try:
                report = privacy.assess_risk(
                    unit, source=source, quasi_identifiers=comma_list_text(qi),
                    k=_int(k, "k"), sensitive=comma_list_text(sensitive), confine=True)
            except StewardError as exc:
                error, status_code = exc.message, exc.status
    return render(request, "privacy/risk.html", identity=identity, files=files, report=report,
                  values={"source": source, "qi": qi, "k": k, "sensitive": sensitive},
                  error=error, status_code=status_code)


def comma_list_text(value: str) -> list[str]:
    return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]


@router.get("/privacy/{evidence_id}")
def result_page(request: Request, evidence_id: int, identity: Reader) -> Response:
    with get_runtime(request).unit(identity.actor) as unit:
        record = privacy.get_anonymization(unit, evidence_id)
        names = audits.system_names(unit)
    return render(request, "privacy/result.html", identity=identity, item=record,
                  result=record["payload"],
                  system_name=names.get(record["system_id"]) if record["system_id"] else None)

