"""Model pages: the registered models, explaining one on a table (global and for a customer),
and each system's model card with its edit form, version history, document and PDF."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from steward.core.roles import ANY_READER
from steward.errors import StewardError
from steward.services import explain, model_cards, reports
from steward.services.reports.model_card import model_card_pdf, render_model_card
from steward.services.sessions import WebIdentity
from steward.web.deps import get_runtime, page
from steward.web.forms import text
from steward.web.rendering import CSP, render

router = APIRouter(include_in_schema=False)
Reader = Annotated[WebIdentity, page(ANY_READER)]
Explainer = Annotated[WebIdentity, page(explain.RUN_EXPLANATIONS)]
Editor = Annotated[WebIdentity, page(model_cards.EDIT_CARDS)]


def _models_page(request: Request, identity: WebIdentity, *, values: dict[str, Any] | None = None,
                 result: dict[str, Any] | None = None, error: str | None = None,
                 status_code: int = 200) -> Response:
    can_explain = explain.RUN_EXPLANATIONS.allows(identity.actor.roles)
    with get_runtime(request).unit(identity.actor) as unit:
        models = explain.list_models(unit)
        files = explain.data_files(unit) if can_explain else []
    return render(request, "explain/models.html", identity=identity, models=models,
                  files=files, can_explain=can_explain, values=values or {}, result=result,
                  error=error, status_code=status_code)


@router.get("/models")
def models_page(request: Request, identity: Reader) -> Response:
    return _models_page(request, identity)


@router.get("/explain")
async def explain_page(request: Request, identity: Explainer, model_id: int | None = None,
                       source: str = "", row: str = "") -> Response:
    values = {"model_id": model_id, "source": source, "row": row}
    if model_id is None or not source:
        return RedirectResponse("/models", status_code=303)

    def run() -> dict[str, Any]:
        with get_runtime(request).unit(identity.actor) as unit:
            return explain.explain_model(unit, model=model_id, data=source,
                                         row=row.strip() or None, confine=True)

    try:
        result = await run_in_threadpool(run)
    except StewardError as exc:
        return _models_page(request, identity, values=values, error=exc.message,
                            status_code=exc.status)
    return _models_page(request, identity, values=values, result=result)


def _card_page(request: Request, identity: WebIdentity, system_id: int, *,
               error: str | None = None, values: dict[str, str] | None = None,
               status_code: int = 200) -> Response:
    with get_runtime(request).unit(identity.actor) as unit:
        card = model_cards.get_card(unit, system_id)
        versions = model_cards.list_versions(unit, system_id)
    return render(request, "explain/card.html", identity=identity, card=card,
                  versions=versions, fields=model_cards.FIELDS,
                  values=values or card["fields"], error=error, status_code=status_code,
                  can_edit=model_cards.EDIT_CARDS.allows(identity.actor.roles))


@router.get("/systems/{system_id}/card")
def card_page(request: Request, system_id: int, identity: Reader) -> Response:
    return _card_page(request, identity, system_id)


@router.post("/systems/{system_id}/card")
async def save_card(request: Request, system_id: int, identity: Editor) -> Response:
    form = await request.form()
    values = {name: text(form, name) for name in model_cards.FIELD_NAMES}
    expected = text(form, "expected_version")
    try:
        with get_runtime(request).unit(identity.actor) as unit:
            model_cards.save_card(unit, system_id, values, note=text(form, "note"),
                                  expected_version=int(expected) if expected.isdigit()
                                  else None)
    except StewardError as exc:
        return _card_page(request, identity, system_id, error=exc.message, values=values,
                          status_code=exc.status)
    return RedirectResponse(f"/systems/{system_id}/card", status_code=303)


@router.get("/systems/{system_id}/card/document")
def card_document(request: Request, system_id: int, identity: Reader,
                  version: int | None = None) -> Response:
    """The card as a standalone document (its only style is the reports' stylesheet)."""
    with get_runtime(request).unit(identity.actor) as unit:
        card = model_cards.get_card(unit, system_id, version=version)
    csp = CSP.replace("style-src 'self'", f"style-src 'self' {reports.style_source()}")
    return HTMLResponse(render_model_card(card), headers={"Content-Security-Policy": csp})


@router.get("/systems/{system_id}/card/pdf")
def card_pdf(request: Request, system_id: int, identity: Reader,
             version: int | None = None) -> Response:
    with get_runtime(request).unit(identity.actor) as unit:
        card = model_cards.get_card(unit, system_id, version=version)
    name = f"model-card-{system_id}{f'-v{version}' if version else ''}.pdf"
    return Response(model_card_pdf(card), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
