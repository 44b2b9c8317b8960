"""Privacy engineering: scan a table for PII, propose a plan, anonymize, measure risk.

Every path lies under the server's data directory (``STEWARD_DATA_DIR``); outputs go to its
``anonymized/`` folder unless ``out`` names another place under it. An anonymization on a system
is kept as its ``dataset_anonymization`` evidence. Tokens are revealed for the privacy and legal
roles only, each one audited; the answer is never cached.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Response

from steward.api.deps import RuntimeDep, allow
from steward.api.schemas.privacy import (
    AnonymizeRequest,
    RevealRequest,
    RiskRequest,
    ScanRequest,
)
from steward.core.roles import ANY_READER
from steward.services import privacy
from steward.services.runtime import Actor

router = APIRouter(tags=["privacy"])
Reader = Annotated[Actor, allow(ANY_READER)]
Engineer = Annotated[Actor, allow(privacy.RUN_PRIVACY)]
Revealer = Annotated[Actor, allow(privacy.REVEAL_TOKENS)]


@router.post("/api/v1/privacy/scan")
def scan(body: ScanRequest, runtime: RuntimeDep, actor: Engineer) -> dict[str, Any]:
    """Each column's PII type, class and confidence (counts only, no sampled value)."""
    with runtime.unit(actor) as unit:
        return privacy.scan(unit, source=body.source, sample=body.sample, confine=True,
                            backend=body.backend)


@router.post("/api/v1/privacy/plan")
def plan(body: ScanRequest, runtime: RuntimeDep, actor: Engineer) -> dict[str, Any]:
    """A proposed plan: ``plan`` (the mapping), ``yaml`` (to edit) and ``discovery``."""
    with runtime.unit(actor) as unit:
        return privacy.make_plan(unit, source=body.source, sample=body.sample, confine=True,
                                 backend=body.backend)


@router.post("/api/v1/privacy/anonymize")
def anonymize(body: AnonymizeRequest, runtime: RuntimeDep, actor: Engineer) -> dict[str, Any]:
    """Apply a plan; the answer has the output, risk before and after, utility, the policy's
    judgement, the verdict and the evidence kept."""
    with runtime.unit(actor) as unit:
        return privacy.anonymize(unit, source=body.source, plan=body.plan, out=body.out,
                                 system_id=body.system_id, purpose=body.purpose, confine=True,
                                 keep=True, backend=body.backend)


@router.post("/api/v1/privacy/risk")
def risk(body: RiskRequest, runtime: RuntimeDep, actor: Engineer) -> dict[str, Any]:
    """k-anonymity over the quasi-identifiers and l-diversity of the sensitive columns."""
    with runtime.unit(actor) as unit:
        return privacy.assess_risk(unit, source=body.source,
                                   quasi_identifiers=body.quasi_identifiers, k=body.k,
                                   sensitive=body.sensitive, l_target=body.l, confine=True,
                                   backend=body.backend)


@router.get("/api/v1/privacy/anonymizations")
def anonymizations(runtime: RuntimeDep, actor: Reader, system_id: int | None = None,
                   limit: int = 100) -> list[dict[str, Any]]:
    """Kept anonymizations (evidence of kind ``dataset_anonymization``), newest first."""
    with runtime.unit(actor) as unit:
        return privacy.list_anonymizations(unit, system_id=system_id,
                                           limit=max(1, min(limit, 500)))


@router.get("/api/v1/privacy/anonymizations/{evidence_id}")
def anonymization(evidence_id: int, runtime: RuntimeDep, actor: Reader) -> dict[str, Any]:
    """One kept anonymization with its payload."""
    with runtime.unit(actor) as unit:
        return privacy.get_anonymization(unit, evidence_id)


@router.post("/api/v1/privacy/reveal")
def reveal(body: RevealRequest, runtime: RuntimeDep, actor: Revealer,
           response: Response) -> list[dict[str, Any]]:
    """The values behind vault tokens, with the reason kept in the audit log for each token
    (all or none: an unknown token is a 404, a malformed one a 422)."""
    response.headers["Cache-Control"] = "no-store"
    with runtime.unit(actor) as unit:
        return privacy.reveal(unit, body.tokens, reason=body.reason)
