"""Stage gates: ``proposed → pilot → production`` only when the policy's conditions hold.

A move to pilot or production needs, as the policy in force names them: approvals by the named
roles on an open gate review (the system's owner can never approve their own system); every
obligation in force for that stage met or waived; the required evidence present, fresh and with an
accepted verdict; the owner's training current; and no severe incident open. A refused move lists
exactly what is missing. Suspension needs no gate (committee, legal or privacy, or a severe
incident under the policy); coming back from suspension passes the gate again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from steward.core.lifecycle import ORDER, Stage, can_move
from steward.core.policy import gate_requirement
from steward.core.roles import ANY_READER, STAFF_ROLES, Access, Role, write_access
from steward.errors import Conflict, Forbidden, InvalidInput, NotFound
from steward.services import evidence, incidents, mail, policy, training
from steward.services.runtime import Unit
from steward.services.systems import system_record
from steward.storage.orm import AISystem, Review, ReviewDecision

REQUEST_GATE = Access(roles=STAFF_ROLES, write=True)
DECIDE_GATE = Access(roles=STAFF_ROLES, write=True)
SUSPEND_SYSTEMS = write_access(Role.COMMITTEE, Role.LEGAL, Role.PRIVACY)
GATED = (Stage.PILOT, Stage.PRODUCTION)
DECISIONS = ("approve", "reject", "request_changes")
BLOCKING_INCIDENT = "high"


class GateRefused(Conflict):
    """A move the gate does not allow; ``missing`` says what is needed."""


@dataclass
class GateCheck:
    system_id: int
    current: str
    target: str
    policy_version: int
    missing: list[dict[str, str]] = field(default_factory=list)
    requirement: dict[str, Any] = field(default_factory=dict)

    @property
    def allowed(self) -> bool:
        return not self.missing

    def need(self, kind: str, detail: str) -> None:
        self.missing.append({"kind": kind, "detail": detail})

    def to_dict(self) -> dict[str, Any]:
        return {"allowed": self.allowed, "system_id": self.system_id, "from": self.current,
                "to": self.target, "policy_version": self.policy_version,
                "missing": self.missing, "requirement": self.requirement}


def _system(unit: Unit, system_id: int) -> AISystem:
    system = unit.session.get(AISystem, system_id)
    if system is None:
        raise NotFound(f"no AI system with id {system_id}")
    return system


def _stage(value: str) -> Stage:
    try:
        return Stage(value)
    except ValueError:
        raise InvalidInput(f"unknown stage {value!r}: use "
                           f"{', '.join(s.value for s in Stage)}") from None


def system_facts(system: AISystem) -> dict[str, Any]:
    """What the policy's conditions may look at: the whole record plus the uses answered."""
    facts = system_record(system, with_obligations=False)
    answers = system.risk_answers or {}
    facts.update({"uses": list(answers.get("uses", [])), "vendor": system.vendor or "",
                  "risk_score": system.risk_score or 0, "tier": system.tier or ""})
    return facts


def open_review(unit: Unit, system_id: int) -> Review | None:
    return unit.session.scalar(select(Review).where(
        Review.system_id == system_id, Review.kind == "gate", Review.status == "open"))


def review_record(review: Review) -> dict[str, Any]:
    return {
        "id": review.id, "kind": review.kind, "system_id": review.system_id,
        "system": review.system.name, "owner": review.system.owner.username,
        "from": review.system.stage, "to": review.target_stage, "status": review.status,
        "note": review.note, "requested_by": review.requested_by,
        "requested_at": review.requested_at.isoformat(),
        "due_on": review.due_on.isoformat() if review.due_on else None,
        "closed_at": review.closed_at.isoformat() if review.closed_at else None,
        "decisions": [{"username": d.user.username, "role": d.role, "decision": d.decision,
                       "comment": d.comment, "decided_at": d.decided_at.isoformat()}
                      for d in review.decisions],
    }


def check(unit: Unit, system_id: int, *, to: str) -> GateCheck:
    """Whether the system may move to ``to`` now, and if not, everything that is missing."""
    unit.require(ANY_READER, "check gates")
    system = _system(unit, system_id)
    target, current = _stage(to), Stage(system.stage)
    force = policy.in_force(unit)
    result = GateCheck(system_id=system.id, current=current.value, target=target.value,
                       policy_version=force.version)
    if target == current:
        result.need("lifecycle", f"the system is already in {current.value}")
        return result
    if not can_move(current, target):
        skipping = current in ORDER and target in ORDER and ORDER.index(target) > ORDER.index(
            current)
        detail = (f"a {current.value} system must pass through "
                  f"{ORDER[ORDER.index(current) + 1].value} first" if skipping
                  else f"{current.value} → {target.value} is not a lifecycle move")
        result.need("lifecycle", detail)
        if not skipping:
            return result
    if target not in GATED:
        return result
    if system.tier is None:
        result.need("classification", "the system has not been risk-classified")
    elif system.tier == "prohibited":
        result.need("tier", "the classification found a prohibited practice (EU AI Act Art. 5): "
                            "it cannot be deployed")
    facts = system_facts(system)
    requirement = gate_requirement(force.pack, target_stage=target.value, system=facts)
    decision = policy.judge(unit, applies_to="system", facts={"system": facts})
    for fired in decision["fired"]:
        if fired["severity"] == "block":
            citation = fired.get("citation") or {}
            message = fired.get("message") or ""
            said = fired["title"] if message in ("", fired["title"]) else message
            cited = f"{citation.get('instrument', '')} {citation.get('article', '')}".strip()
            result.need("policy", f"{said} ({cited})" if cited else said)
    result.requirement = requirement.to_dict()
    _check_approvals(unit, system, target, requirement.approvals, result)
    if requirement.obligations_met:
        _check_obligations(system, target, result)
    for needed in requirement.evidence:
        _check_evidence(unit, system, needed, result)
    if requirement.training_required:
        trained, gaps = training.is_trained(unit, system.owner)
        if not trained:
            result.need("training", f"owner {system.owner.username} must complete: "
                                    f"{', '.join(gaps)}")
    for incident in incidents.open_severe(unit, system.id, at_least=BLOCKING_INCIDENT):
        result.need("incident", f"incident {incident['id']} ({incident['severity']}) is still "
                                f"{incident['status']}: {incident['title']}")
    return result


def _check_approvals(unit: Unit, system: AISystem, target: Stage, roles: list[str],
                     result: GateCheck) -> None:
    review = open_review(unit, system.id)
    if review is None or review.target_stage != target.value:
        result.need("review", f"no open gate review for {target.value}: request one")
        for role in roles:
            result.need("approval", f"approval by {role}")
        return
    approved = {d.role for d in review.decisions
                if d.decision == "approve" and d.user_id != system.owner_id}
    for d in review.decisions:
        if d.decision in ("reject", "request_changes"):
            result.need("approval", f"{d.decision.replace('_', ' ')} by {d.user.username} "
                                    f"({d.role}): {d.comment or 'no comment'}")
    for role in roles:
        if role not in approved:
            result.need("approval", f"approval by {role}")


def _check_obligations(system: AISystem, target: Stage, result: GateCheck) -> None:
    due_stages = {s.value for s in ORDER[1:ORDER.index(target) + 1]}
    today = date.today()
    for ob in system.obligations:
        if ob.status == "open" and ob.stage in due_stages and ob.applies_from <= today:
            result.need("obligation", f"{ob.obligation_id}: {ob.title} "
                                      f"({ob.citation.get('instrument', '')} "
                                      f"{ob.citation.get('article', '')})".strip())


def _check_evidence(unit: Unit, system: AISystem, needed: Any, result: GateCheck) -> None:
    latest = evidence.latest_evidence(unit, system_id=system.id, kind=needed.kind)
    label = needed.title or needed.kind
    if latest is None:
        result.need("evidence", f"{label}: no {needed.kind} evidence recorded")
        return
    created = datetime.fromisoformat(latest["created_at"])
    if needed.max_age_days and created < datetime.now(UTC) - timedelta(days=needed.max_age_days):
        result.need("evidence", f"{label}: the latest {needed.kind} ({created:%Y-%m-%d}) is "
                                f"older than {needed.max_age_days} days")
    elif latest["stale"]:
        result.need("evidence", f"{label}: the latest {needed.kind} is stale")
    accepted = list(needed.accepted_verdicts or [])
    if accepted and latest["verdict"] not in accepted:
        result.need("evidence", f"{label}: the latest {needed.kind} verdict is "
                                f"{latest['verdict']}, needs {' or '.join(accepted)}")


def request_review(unit: Unit, system_id: int, *, to: str, note: str = "",
                   due_on: date | None = None) -> dict[str, Any]:
    """Ask the committee to review a move; one open gate review per system."""
    unit.require(REQUEST_GATE, "request gate reviews")
    system = _system(unit, system_id)
    target = _stage(to)
    if target not in GATED:
        raise InvalidInput("gate reviews are for moves to pilot or production")
    if not can_move(Stage(system.stage), target):
        raise Conflict(f"{system.stage} → {target.value} is not a lifecycle move")
    if open_review(unit, system_id) is not None:
        raise Conflict(f"AI system {system_id} already has an open gate review")
    review = Review(kind="gate", system_id=system.id, target_stage=target.value, status="open",
                    note=note.strip(), requested_by=unit.actor.label,
                    due_on=due_on or date.today() + timedelta(days=14),
                    policy_version=policy.in_force(unit).version)
    unit.session.add(review)
    unit.session.flush()
    record = review_record(review)
    unit.audit("review.request", "ai_system", system.id, after=record)
    approvers = gate_requirement(policy.in_force(unit).pack, target_stage=target.value,
                                 system=system_facts(system)).approvals
    mail.email_after_commit(
        unit, roles=approvers, subject=f"[Steward] Review: {system.name} → {target.value}",
        body=f"{unit.actor.name} asks the committee to review moving {system.name} to "
             f"{target.value} (due {record['due_on']}).\n\n{note.strip()}\n\n"
             f"Open /systems/{system.id} in Steward to decide.")
    return record


def decide(unit: Unit, review_id: int, *, decision: str, role: str | None = None,
           comment: str = "") -> dict[str, Any]:
    """Record a reviewer's decision, in one of their roles; owners cannot approve their system."""
    unit.require(DECIDE_GATE, "decide gate reviews")
    review = unit.session.get(Review, review_id)
    if review is None:
        raise NotFound(f"no review with id {review_id}")
    if review.status != "open":
        raise Conflict(f"review {review_id} is {review.status}")
    if decision not in DECISIONS:
        raise InvalidInput(f"decision must be one of {', '.join(DECISIONS)}")
    if review.system.owner_id == unit.actor.user_id:
        raise Forbidden("the owner of a system cannot approve or decide its own gate review")
    if unit.actor.user_id is None:
        raise Forbidden("gate decisions are made by people, in one of their roles")
    held = sorted(str(r) for r in unit.actor.roles if r in STAFF_ROLES)
    requirement = gate_requirement(policy.in_force(unit).pack, target_stage=review.target_stage,
                                   system=system_facts(review.system))
    if role is None:
        wanted = [r for r in requirement.approvals if r in held]
        role = wanted[0] if wanted else (held[0] if held else "")
    if role not in held:
        raise Forbidden(f"{unit.actor.name} does not hold the role {role!r}")
    if decision in ("reject", "request_changes") and not comment.strip():
        raise InvalidInput("say why: a comment is required to reject or request changes")
    existing = next((d for d in review.decisions
                     if d.user_id == unit.actor.user_id and d.role == role), None)
    before = review_record(review)
    if existing is None:
        review.decisions.append(ReviewDecision(user_id=unit.actor.user_id, role=role,
                                               decision=decision, comment=comment.strip()))
    else:
        existing.decision, existing.comment = decision, comment.strip()
        existing.decided_at = datetime.now(UTC)
    if decision == "reject":
        review.status, review.closed_at = "rejected", datetime.now(UTC)
    unit.session.flush()
    unit.session.refresh(review)
    after = review_record(review)
    unit.audit(f"review.{decision}", "ai_system", review.system_id, before=before, after=after)
    return after


def move(unit: Unit, system_id: int, *, to: str, reason: str = "") -> dict[str, Any]:
    """Move a system to another stage through its gate (or refuse, listing what is missing)."""
    unit.require(REQUEST_GATE, "move AI systems between stages")
    target = _stage(to)
    if target is Stage.SUSPENDED:
        return suspend(unit, system_id, reason=reason or "suspended by a person")
    if target is Stage.RETIRED:
        raise InvalidInput("retire a system with `steward systems retire`")
    result = check(unit, system_id, to=target.value)
    if not result.allowed:
        raise GateRefused(f"the move to {target.value} is refused: "
                          + "; ".join(m["detail"] for m in result.missing),
                          missing=result.missing, policy_version=result.policy_version)
    system = _system(unit, system_id)
    before = {"stage": system.stage}
    system.stage = target.value
    system.updated_at = datetime.now(UTC)
    review = open_review(unit, system_id)
    if review is not None:
        review.status, review.closed_at = "completed", datetime.now(UTC)
    unit.session.flush()
    unit.audit("system.move", "ai_system", system.id, before=before,
               after={"stage": system.stage, "gate": result.to_dict(), "reason": reason})
    return {"system_id": system.id, "stage": system.stage, "gate": result.to_dict()}


def suspend(unit: Unit, system_id: int, *, reason: str) -> dict[str, Any]:
    """Take a live system out of use at once (no gate), keeping why."""
    if unit.actor.via != "system":
        unit.require(SUSPEND_SYSTEMS, "suspend AI systems")
    system = _system(unit, system_id)
    if not can_move(Stage(system.stage), Stage.SUSPENDED):
        raise Conflict(f"a {system.stage} system cannot be suspended")
    if not reason.strip():
        raise InvalidInput("a reason is required to suspend a system")
    before = {"stage": system.stage}
    system.stage = Stage.SUSPENDED.value
    system.updated_at = datetime.now(UTC)
    unit.session.flush()
    unit.audit("system.suspend", "ai_system", system.id, before=before,
               after={"stage": system.stage, "reason": reason.strip()})
    return {"system_id": system.id, "stage": system.stage}


def suspend_hook(unit: Unit, system_id: int, reason: str) -> None:
    """For incidents: suspend under the policy, whoever reported the incident."""
    system = _system(unit, system_id)
    if not can_move(Stage(system.stage), Stage.SUSPENDED):
        return
    before = {"stage": system.stage}
    system.stage = Stage.SUSPENDED.value
    system.updated_at = datetime.now(UTC)
    unit.session.flush()
    unit.audit("system.suspend", "ai_system", system.id, before=before,
               after={"stage": system.stage, "reason": reason, "by_policy": True})


def queue(unit: Unit, *, include_closed: bool = False) -> list[dict[str, Any]]:
    """Gate reviews waiting for decisions (oldest due first)."""
    unit.require(ANY_READER, "read the review queue")
    query = select(Review).where(Review.kind == "gate")
    if not include_closed:
        query = query.where(Review.status == "open")
    rows = unit.session.scalars(query.order_by(Review.due_on, Review.id)).all()
    return [review_record(r) for r in rows]


def get_review(unit: Unit, review_id: int) -> dict[str, Any]:
    unit.require(ANY_READER, "read reviews")
    review = unit.session.get(Review, review_id)
    if review is None:
        raise NotFound(f"no review with id {review_id}")
    return review_record(review)


def next_stage(stage: str) -> str | None:
    """The stage a system would move to next (pilot again after a suspension)."""
    current = Stage(stage)
    if current is Stage.SUSPENDED:
        return Stage.PILOT.value
    if current in ORDER and ORDER.index(current) < len(ORDER) - 1:
        return ORDER[ORDER.index(current) + 1].value
    return None


def lifecycle(unit: Unit, system_id: int) -> dict[str, Any]:
    """A system's place in the lifecycle: next stage, its gate check and the open review."""
    system = _system(unit, system_id)
    target = next_stage(system.stage)
    review = open_review(unit, system_id)
    return {
        "stage": system.stage, "next": target,
        "check": check(unit, system_id, to=target).to_dict() if target else None,
        "review": review_record(review) if review else None,
    }
