"""Risk classification without a stored system: the questionnaire and a dry run."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body

from steward.api.deps import RuntimeDep, allow
from steward.api.schemas.systems import ClassificationOut
from steward.core.roles import ANY_READER
from steward.services import risk
from steward.services.runtime import Actor

router = APIRouter(prefix="/api/v1/risk", tags=["risk"])
Reader = Annotated[Actor, allow(ANY_READER)]


@router.get("/questions")
def questions(actor: Reader) -> list[dict[str, Any]]:
    """Every question of the risk questionnaire with its choices and when it applies."""
    return risk.question_list()


@router.post("/classify", response_model=ClassificationOut)
def classify(runtime: RuntimeDep, actor: Reader,
             answers: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
    """Classify answers (EU AI Act tier, GDPR/CCPA/FTC obligations with citations)."""
    return risk.classify_answers(runtime, answers).to_dict()
