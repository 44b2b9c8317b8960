"""Explanations of registered models, the model registry (read-only here), and model cards.

Loading a pickle runs code, so the API cannot register a model file (the server's operator does,
with ``steward models register``) and explains only registered models, by id; the data must lie
under the server's data directory.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from steward.api.deps import RuntimeDep, allow
from steward.api.schemas.explain import ExplainRequest, ModelCardSave
from steward.core.roles import ANY_READER
from steward.services import explain, model_cards
from steward.services.reports.model_card import model_card_pdf, render_model_card
from steward.services.runtime import Actor

router = APIRouter(tags=["explanations"])
Reader = Annotated[Actor, allow(ANY_READER)]
Explainer = Annotated[Actor, allow(explain.RUN_EXPLANATIONS)]
Editor = Annotated[Actor, allow(model_cards.EDIT_CARDS)]


@router.get("/api/v1/models")
def list_models(runtime: RuntimeDep, actor: Reader,
                system_id: int | None = None) -> list[dict[str, Any]]:
    """Registered model files (the only ones Steward loads), newest first."""
    with runtime.unit(actor) as unit:
        return explain.list_models(unit, system_id=system_id)


@router.get("/api/v1/models/{model_id}")
def get_model(model_id: int, runtime: RuntimeDep, actor: Reader) -> dict[str, Any]:
    with runtime.unit(actor) as unit:
        return explain.get_model(unit, model_id)


@router.post("/api/v1/explain")
def run_explanation(body: ExplainRequest, runtime: RuntimeDep,
                    actor: Explainer) -> dict[str, Any]:
    """Global importance (mean |SHAP| per feature) and, with ``row``, that person's
    contributions, top ``reasons`` and the ``customer_text`` in the organisation's words."""
    with runtime.unit(actor) as unit:
        return explain.explain_model(unit, model=body.model_id, data=body.source, row=body.row,
                                     id_column=body.id_column, top=body.top,
                                     sample=body.sample, record=body.record, confine=True)


@router.get("/api/v1/systems/{system_id}/card")
def get_card(system_id: int, runtime: RuntimeDep, actor: Reader,
             version: int | None = None) -> dict[str, Any]:
    """The model card as it stands now, or a saved ``version``'s snapshot."""
    with runtime.unit(actor) as unit:
        return model_cards.get_card(unit, system_id, version=version)


@router.get("/api/v1/systems/{system_id}/card/versions")
def card_versions(system_id: int, runtime: RuntimeDep, actor: Reader) -> list[dict[str, Any]]:
    with runtime.unit(actor) as unit:
        return model_cards.list_versions(unit, system_id)


@router.post("/api/v1/systems/{system_id}/card", status_code=201)
def save_card(system_id: int, body: ModelCardSave, runtime: RuntimeDep,
              actor: Editor) -> dict[str, Any]:
    """Save a new version of the card (audited; kept as ``model_card`` evidence)."""
    with runtime.unit(actor) as unit:
        return model_cards.save_card(unit, system_id, body.fields, note=body.note,
                                     expected_version=body.expected_version)


@router.get("/api/v1/systems/{system_id}/card/html", response_class=HTMLResponse)
def card_html(system_id: int, runtime: RuntimeDep, actor: Reader,
              version: int | None = None) -> HTMLResponse:
    with runtime.unit(actor) as unit:
        card = model_cards.get_card(unit, system_id, version=version)
    return HTMLResponse(render_model_card(card))


@router.get("/api/v1/systems/{system_id}/card/pdf", response_class=Response)
def card_pdf(system_id: int, runtime: RuntimeDep, actor: Reader,
             version: int | None = None) -> Response:
    """The card printed to PDF by headless Chromium (503 where Chromium is missing)."""
    with runtime.unit(actor) as unit:
        card = model_cards.get_card(unit, system_id, version=version)
    return Response(model_card_pdf(card), media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="model-card-{system_id}.pdf"'})
