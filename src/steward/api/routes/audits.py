"""Fairness audits: run one on a table under the data directory, list a system's, read one.

Every path the API reads lies under the server's data directory (``STEWARD_DATA_DIR``); a path
is taken relative to it, and one that leaves it is refused (422). The result is the fairness
engine's JSON contract with the verdict made stricter by the policy in force.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from steward.api.deps import RuntimeDep, allow
from steward.api.schemas.audits import FairnessAuditRequest
from steward.core.roles import ANY_READER
from steward.services import audits
from steward.services.reports import render_fairness_report
from steward.services.runtime import Actor

router = APIRouter(tags=["audits"])
Reader = Annotated[Actor, allow(ANY_READER)]
Auditor = Annotated[Actor, allow(audits.RUN_AUDITS)]


@router.post("/api/v1/audits/fairness")
def run_fairness(body: FairnessAuditRequest, runtime: RuntimeDep,
                 actor: Auditor) -> dict[str, Any]:
    """Audit a decision table by group; on a system, keep it as ``fairness_audit`` evidence.

    The answer has ``rows``, ``groups``, ``intersections``, ``disparities``, ``verdict``
    (pass, warn or fail) and ``findings``, plus the ``policy`` that judged it, ``evidence`` and
    ``comparison`` with the system's previous audit.
    """
    with runtime.unit(actor) as unit:
        return audits.run_fairness_audit(
            unit, source=body.source, groups=body.groups, decision=body.decision,
            threshold=body.threshold, label=body.label, score=body.score,
            intersections=body.intersections, reference=body.reference,
            min_group_size=body.min_group_size, system_id=body.system_id,
            backend=body.backend, group_data_note=body.group_data_note, confine=True)


@router.get("/api/v1/systems/{system_id}/audits")
def system_audits(system_id: int, runtime: RuntimeDep, actor: Reader,
                  limit: int = 100) -> list[dict[str, Any]]:
    """A system's fairness audits (evidence of kind ``fairness_audit``), newest first."""
    with runtime.unit(actor) as unit:
        return audits.list_audits(unit, system_id=system_id, limit=max(1, min(limit, 500)))


@router.get("/api/v1/audits/{evidence_id}")
def get_audit(evidence_id: int, runtime: RuntimeDep, actor: Reader) -> dict[str, Any]:
    """A stored audit with its payload and its comparison with the system's previous audit."""
    with runtime.unit(actor) as unit:
        return audits.get_audit(unit, evidence_id)


@router.get("/api/v1/audits/{evidence_id}/report", response_class=HTMLResponse)
def audit_report(evidence_id: int, runtime: RuntimeDep, actor: Reader) -> HTMLResponse:
    """The printable HTML report of a stored audit."""
    with runtime.unit(actor) as unit:
        record = audits.get_audit(unit, evidence_id)
    return HTMLResponse(render_fairness_report(record))
