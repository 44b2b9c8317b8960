"""The AI system inventory: register, list, show, update, classify and retire systems.

A system's risk classification is stored with the answers it came from; its obligations become
tracked items (open, met, waived with a reason and approver, or withdrawn when a re-classification
no longer imposes them). Every change, including each re-classification, is in the audit log with
the record before and after.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from steward.core.lifecycle import Stage
from steward.core.roles import ANY_READER, Role, write_access
from steward.core.systems import SystemChanges, SystemSpec
from steward.core.validation import first_problem
from steward.errors import Conflict, Forbidden, InvalidInput, NotFound
from steward.services import auditors, risk
from steward.services.runtime import Unit
from steward.storage.orm import AISystem, SystemObligation, User

WRITE_SYSTEMS = write_access(Role.MARKETING, Role.DATA_SCIENCE, Role.IT, Role.LEGAL, Role.PRIVACY,
                             Role.COMMITTEE)
DECIDE_OBLIGATIONS = write_access(Role.LEGAL, Role.PRIVACY, Role.COMMITTEE)
OBLIGATION_STATUSES = ("open", "met", "waived", "withdrawn")
TIERS = ("prohibited", "high", "limited", "minimal")


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value else None


def obligation_record(ob: SystemObligation) -> dict[str, Any]:
    return {
        "id": ob.obligation_id, "title": ob.title, "description": ob.description,
        "citation": ob.citation, "party": ob.party, "stage": ob.stage,
        "applies_from": _iso(ob.applies_from),
        "in_force": ob.applies_from <= date.today(),
        "status": ob.status, "waiver_reason": ob.waiver_reason,
        "decided_by": ob.decided_by.username if ob.decided_by else None,
        "evidence_link": ob.evidence_link, "due_date": _iso(ob.due_date),
        "updated_at": _iso(ob.updated_at),
    }


def system_record(system: AISystem, *, with_obligations: bool = True) -> dict[str, Any]:
    """The whole record, JSON-ready (what the API, CLI, exports and audit log show)."""
    record: dict[str, Any] = {
        "id": system.id, "name": system.name, "purpose": system.purpose,
        "description": system.description, "owner": system.owner.username,
        "business_unit": system.business_unit, "stage": system.stage,
        "channels": list(system.channels), "ai_kinds": list(system.ai_kinds),
        "customer_facing": system.customer_facing, "jurisdictions": list(system.jurisdictions),
        "vendor": system.vendor, "product": system.product, "model_name": system.model_name,
        "model_version": system.model_version, "hosting": system.hosting,
        "vendor_trains_on_our_data": system.vendor_trains_on_our_data,
        "training_opt_out": system.training_opt_out,
        "output_ip_indemnity": system.output_ip_indemnity,
        "trained_only_on_own_data": system.trained_only_on_own_data,
        "training_data_sources": list(system.training_data_sources),
        "data_categories": list(system.data_categories), "data_uses": list(system.data_uses),
        "consent_purposes": list(system.consent_purposes),
        "human_oversight": system.human_oversight, "bot_disclosure": system.bot_disclosure,
        "human_handoff": system.human_handoff,
        "tier": system.tier, "risk_score": system.risk_score,
        "classified_at": _iso(system.classified_at),
        "created_at": _iso(system.created_at), "updated_at": _iso(system.updated_at),
        "retired_at": _iso(system.retired_at), "version": system.version,
    }
    if with_obligations:
        record["obligations"] = [obligation_record(o) for o in system.obligations]
    return record


def _spec(data: SystemSpec | Mapping[str, Any]) -> SystemSpec:
    if isinstance(data, SystemSpec):
        return data
    try:
        return SystemSpec.model_validate(dict(data))
    except ValidationError as exc:
        raise InvalidInput(first_problem(exc)) from None


def _owner(unit: Unit, username: str) -> User:
    user = unit.session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise InvalidInput(f"owner {username!r} is not a user of Steward")
    if user.role_names == ["auditor"]:
        raise InvalidInput(f"owner {username!r} is an auditor; owners must be staff")
    return user


def _load(unit: Unit, system_id: int) -> AISystem:
    system = unit.session.get(AISystem, system_id)
    if system is None:
        raise NotFound(f"no AI system with id {system_id}")
    return system


def _name_free(unit: Unit, name: str, *, other_than: int | None = None) -> None:
    existing = unit.session.scalar(select(AISystem.id).where(AISystem.name == name))
    if existing is not None and existing != other_than:
        raise Conflict(f"an AI system named {name!r} already exists (id {existing})")


def create_system(unit: Unit, data: SystemSpec | Mapping[str, Any]) -> dict[str, Any]:
    """Register a system (existing systems may be registered at the stage they are in)."""
    unit.require(WRITE_SYSTEMS, "register AI systems")
    spec = _spec(data)
    _name_free(unit, spec.name)
    fields = spec.model_dump(mode="json", exclude={"owner"})
    system = AISystem(**fields, owner=_owner(unit, spec.owner))
    if spec.stage is Stage.RETIRED:
        system.retired_at = datetime.now(UTC)
    unit.session.add(system)
    unit.session.flush()
    record = system_record(system)
    unit.audit("system.create", "ai_system", system.id, after=record)
    return record


def list_systems(unit: Unit, *, stage: str | None = None, tier: str | None = None,
                 owner: str | None = None, vendor: str | None = None,
                 search: str | None = None) -> list[dict[str, Any]]:
    unit.require(ANY_READER, "list AI systems")
    query = select(AISystem).order_by(AISystem.name)
    if stage:
        if stage not in {s.value for s in Stage}:
            raise InvalidInput(f"unknown stage {stage!r}: use {', '.join(s.value for s in Stage)}")
        query = query.where(AISystem.stage == stage)
    if tier:
        if tier not in (*TIERS, "unclassified"):
            raise InvalidInput(f"unknown tier {tier!r}: use {', '.join(TIERS)} or unclassified")
        query = query.where(AISystem.tier.is_(None) if tier == "unclassified"
                            else AISystem.tier == tier)
    if owner:
        query = query.join(AISystem.owner).where(User.username == owner.strip().lower())
    if vendor:
        query = query.where(AISystem.vendor.ilike(f"%{vendor.strip()}%"))
    if search:
        query = query.where(AISystem.name.ilike(f"%{search.strip()}%"))
    visible = auditors.visible_system_ids(unit)
    if visible is not None:
        query = query.where(AISystem.id.in_(visible or {-1}))
    return [system_record(s, with_obligations=False) for s in unit.session.scalars(query).all()]


def get_system(unit: Unit, system_id: int) -> dict[str, Any]:
    unit.require(ANY_READER, "read AI systems")
    auditors.check_visible(unit, system_id, log_view="system record")
    return system_record(_load(unit, system_id))


def risk_answers(unit: Unit, system_id: int) -> dict[str, Any] | None:
    unit.require(ANY_READER, "read AI systems")
    auditors.check_visible(unit, system_id)
    return _load(unit, system_id).risk_answers


def stored_classification(unit: Unit, system_id: int) -> dict[str, Any] | None:
    """The last classification result (tier, reasons, obligations, findings), if any."""
    unit.require(ANY_READER, "read AI systems")
    auditors.check_visible(unit, system_id)
    return _load(unit, system_id).classification


def update_system(unit: Unit, system_id: int, data: SystemChanges | Mapping[str, Any], *,
                  expected_version: int | None = None) -> dict[str, Any]:
    """Change the fields given; ``expected_version`` guards against overwriting someone's edit."""
    unit.require(WRITE_SYSTEMS, "change AI systems")
    try:
        changes = data if isinstance(data, SystemChanges) else SystemChanges.model_validate(
            dict(data))
    except ValidationError as exc:
        raise InvalidInput(first_problem(exc)) from None
    system = _load(unit, system_id)
    if system.stage == Stage.RETIRED:
        raise Conflict(f"AI system {system_id} is retired and can no longer change")
    if expected_version is not None and expected_version != system.version:
        raise Conflict(f"AI system {system_id} changed since you read it (version "
                       f"{system.version}, you had {expected_version}): reload and retry")
    before = system_record(system)
    given = changes.model_dump(mode="json", exclude_unset=True)
    if not given:
        raise InvalidInput("nothing to change: give at least one field")
    if "name" in given:
        _name_free(unit, given["name"], other_than=system.id)
    if "owner" in given:
        system.owner = _owner(unit, given.pop("owner"))
    for name, value in given.items():
        setattr(system, name, value)
    system.updated_at = datetime.now(UTC)
    try:
        unit.session.flush()
    except StaleDataError:
        raise Conflict(f"AI system {system_id} was changed by someone else: retry") from None
    record = system_record(system)
    unit.audit("system.update", "ai_system", system.id, before=before, after=record)
    return record


def retire_system(unit: Unit, system_id: int, *, reason: str) -> dict[str, Any]:
    """Retire a system for good (its record and history stay)."""
    unit.require(WRITE_SYSTEMS, "retire AI systems")
    if not reason.strip():
        raise InvalidInput("a reason is required to retire a system")
    system = _load(unit, system_id)
    if system.stage == Stage.RETIRED:
        raise Conflict(f"AI system {system_id} is already retired")
    before = system_record(system)
    system.stage = Stage.RETIRED.value
    system.retired_at = system.updated_at = datetime.now(UTC)
    unit.session.flush()
    record = system_record(system)
    unit.audit("system.retire", "ai_system", system.id, before=before,
               after={**record, "reason": reason.strip()})
    return record


def classify_system(unit: Unit, system_id: int, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Classify a system from answers; store the result and sync its obligations."""
    unit.require(WRITE_SYSTEMS, "classify AI systems")
    system = _load(unit, system_id)
    if system.stage == Stage.RETIRED:
        raise Conflict(f"AI system {system_id} is retired and can no longer change")
    document = {**dict(answers), "name": answers.get("name") or system.name}
    result = risk.classify_in_unit(unit, document).to_dict()
    before = {"tier": system.tier, "risk_score": system.risk_score,
              "answers": system.risk_answers, "classification": system.classification,
              "obligations": [obligation_record(o) for o in system.obligations]}
    now = datetime.now(UTC)
    system.risk_answers = document
    system.classification = result
    system.tier = result["tier"]
    system.risk_score = int(result["risk_score"])
    system.classified_at = system.updated_at = now
    _sync_obligations(system, result["obligations"], now)
    unit.session.flush()
    after = {"tier": system.tier, "risk_score": system.risk_score, "answers": document,
             "classification": result,
             "obligations": [obligation_record(o) for o in system.obligations]}
    unit.audit("system.classify", "ai_system", system.id, before=before, after=after)
    return {"system": system_record(system), "classification": result}


def _sync_obligations(system: AISystem, wanted: list[dict[str, Any]], now: datetime) -> None:
    by_id = {o.obligation_id: o for o in system.obligations}
    wanted_ids = set()
    for item in wanted:
        wanted_ids.add(item["id"])
        fields = {"title": item["title"], "description": item.get("description", ""),
                  "citation": item["citation"], "party": item["party"], "stage": item["stage"],
                  "applies_from": date.fromisoformat(item["applies_from"])}
        existing = by_id.get(item["id"])
        if existing is None:
            system.obligations.append(SystemObligation(obligation_id=item["id"], status="open",
                                                       **fields))
            continue
        for name, value in fields.items():
            setattr(existing, name, value)
        if existing.status == "withdrawn":
            existing.status = "open"
        existing.updated_at = now
    for ob in system.obligations:
        if ob.obligation_id not in wanted_ids and ob.status != "withdrawn":
            ob.status = "withdrawn"
            ob.updated_at = now


def decide_obligation(unit: Unit, system_id: int, obligation_id: str, *, status: str,
                      reason: str | None = None, evidence_link: str | None = None,
                      due_date: date | None = None) -> dict[str, Any]:
    """Mark an obligation met (with evidence), waive it (with a reason), or reopen it."""
    if status not in ("open", "met", "waived"):
        raise InvalidInput(f"status must be open, met or waived, not {status!r}")
    system = _load(unit, system_id)
    is_owner = system.owner_id == unit.actor.user_id
    if status == "waived" or not is_owner:
        unit.require(DECIDE_OBLIGATIONS, f"set obligations to {status}")
    if status == "waived" and not (reason and reason.strip()):
        raise InvalidInput("a waiver needs a reason")
    if status == "waived" and is_owner:
        raise Forbidden("the owner of a system cannot waive its obligations")
    ob = next((o for o in system.obligations if o.obligation_id == obligation_id), None)
    if ob is None:
        raise NotFound(f"AI system {system_id} has no obligation {obligation_id!r}")
    if ob.status == "withdrawn":
        raise Conflict(f"obligation {obligation_id!r} no longer applies to AI system {system_id}")
    before = obligation_record(ob)
    ob.status = status
    ob.waiver_reason = reason.strip() if status == "waived" and reason else None
    if evidence_link is not None:
        ob.evidence_link = evidence_link.strip() or None
    if due_date is not None:
        ob.due_date = due_date
    ob.decided_by_id = unit.actor.user_id
    ob.updated_at = datetime.now(UTC)
    unit.session.flush()
    unit.session.refresh(ob)
    after = obligation_record(ob)
    unit.audit(f"obligation.{status}", "ai_system", system.id, before=before, after=after)
    return after


def suggested_answers(unit: Unit, system_id: int) -> dict[str, Any]:
    """Answers to start the questionnaire from: the last ones given, or what the record implies."""
    from steward.core.systems import AIKind
    from steward.core.taxonomy import is_sensitive

    unit.require(ANY_READER, "read AI systems")
    system = _load(unit, system_id)
    if system.risk_answers:
        return dict(system.risk_answers)
    kinds = set(system.ai_kinds)
    uses_data = list(system.data_uses)
    uses: list[str] = []
    if AIKind.GENERATIVE_TEXT in kinds or kinds & {"generative_image", "generative_video"}:
        uses.append("content_generation")
    if AIKind.CHATBOT in kinds:
        uses.append("customer_service")
    advertising = any(u.startswith("marketing.advertising") for u in uses_data)
    if AIKind.SEGMENTATION in kinds or advertising:
        uses.append("audience_targeting")
    return {
        "name": system.name,
        "role": "deployer" if system.vendor else "provider",
        "ai_kind": sorted(kinds),
        "uses": uses,
        "jurisdictions": list(system.jurisdictions) or ["EU"],
        "interacts_with_people": AIKind.CHATBOT in kinds or "chat" in system.channels,
        "generates_synthetic_media": bool(kinds & {"generative_image", "generative_audio",
                                                    "generative_video"}),
        "personal_data": bool(system.data_categories),
        "sensitive_data": any(is_sensitive(c) for c in system.data_categories),
        "profiling": any("profiling" in u for u in uses_data),
        "sells_or_shares_personal_data": any(
            u.startswith(("third_party_sharing", "marketing.advertising.third_party"))
            for u in uses_data),
    }
