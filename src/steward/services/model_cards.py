"""Model cards: a system's documentation, filled from the inventory and the evidence, written by
people where only people know, versioned, and rendered to HTML and PDF.

The card's structure follows the Model Card Toolkit schema (model details, model parameters,
quantitative analysis, considerations) and the Hugging Face model card template (uses and
out-of-scope uses, bias, risks and limitations, recommendations). Steward fills in what it holds:

- **details**: the system's name, purpose, owner and business unit, vendor and model, hosting,
  and the registered model files (versions with their SHA-256);
- **data**: training data sources with owner and licence, data categories, uses and the
  consent purposes relied on;
- **metrics by slice** from the latest fairness audit (selection rate with its interval, the
  ratio to the most-favoured group, error rates when there was a label), the latest drift check,
  the latest explanation's most influential features, and the latest evidence of every kind;
- **governance**: stage, EU AI Act tier, obligations with their status.

People write the rest (:data:`FIELDS`): intended and out-of-scope uses, limitations, ethical
considerations and mitigations, and so on. Each save is a new version holding the fields and a
snapshot of the whole card, its SHA-256, who saved it and why; it is audited and kept as
evidence of kind ``model_card``. For a high-risk system the card adds an outline of the EU AI
Act Annex IV technical documentation, point by point, with what Steward holds and what is still
missing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from steward.core.roles import ANY_READER
from steward.errors import Conflict, InvalidInput, NotFound
from steward.services import auditors
from steward.services.evidence import evidence_record, payload_hash, record_evidence
from steward.services.runtime import Unit
from steward.services.systems import WRITE_SYSTEMS, system_record
from steward.storage.orm import AISystem, Evidence, ModelCard, ModelFile, Monitor

EDIT_CARDS = WRITE_SYSTEMS
KIND = "model_card"
SCHEMA = "steward-model-card/1"
MAX_FIELD = 20_000

FIELDS: tuple[tuple[str, str, str], ...] = (
    ("overview", "Overview", "What the model does and how its output is used, in a paragraph."),
    ("architecture", "Architecture and design choices",
     "The kind of model, its inputs and output, and the key design choices."),
    ("intended_uses", "Intended uses", "What the model is for, and in which decisions."),
    ("intended_users", "Intended users", "Who uses its output, and with what instructions."),
    ("out_of_scope_uses", "Out-of-scope uses", "Uses it must not be put to."),
    ("training_data", "Training data", "What it was trained on: period, population, labels, "
     "cleaning."),
    ("evaluation_data", "Evaluation data", "What it was tested on, and how that was chosen."),
    ("performance_metrics", "Performance metrics",
     "The metrics used and why they are appropriate for this use (Annex IV point 4)."),
    ("limitations", "Limitations", "Where it performs poorly or should not be relied on."),
    ("tradeoffs", "Trade-offs", "Trade-offs made, e.g. between reach and accuracy."),
    ("ethical_considerations", "Ethical considerations",
     "Risks to people: discrimination, manipulation, privacy, foreseeable misuse."),
    ("mitigations", "Mitigations", "What is done about each risk."),
    ("human_oversight_measures", "Human oversight measures",
     "Who can override or stop it, and how (Art. 14)."),
    ("risk_management", "Risk management", "The risk management process (Art. 9)."),
    ("cybersecurity", "Cybersecurity", "Protection against tampering, data poisoning, "
     "adversarial inputs (Art. 15)."),
    ("standards", "Standards applied", "Harmonised standards or other specifications applied."),
    ("declaration_of_conformity", "EU declaration of conformity",
     "Where the declaration (Art. 47) is kept, or why none is needed."),
    ("post_market_monitoring", "Post-market monitoring plan",
     "How performance is evaluated after release (Art. 72)."),
    ("licence", "Licence", "The model's licence and terms of use."),
    ("references", "References", "Links to further documentation."),
)
FIELD_NAMES = tuple(name for name, _, _ in FIELDS)

UNKNOWN_FIELD = "unknown model card field {name!r}: use {names}"
NO_VERSION = "AI system {system_id} has no model card version {version}"
STALE_EDIT = ("the model card of AI system {system_id} changed since you read it (version "
              "{current}, you had {expected}): reload and retry")


def _system(unit: Unit, system_id: int) -> AISystem:
    system = unit.session.get(AISystem, system_id)
    if system is None:
        raise NotFound(f"no AI system with id {system_id}")
    return system


def _latest(unit: Unit, system_id: int, kind: str) -> Evidence | None:
    return unit.session.scalar(
        select(Evidence).where(Evidence.system_id == system_id, Evidence.kind == kind)
        .order_by(Evidence.created_at.desc(), Evidence.id.desc()).limit(1))


def _latest_version(unit: Unit, system_id: int) -> ModelCard | None:
    return unit.session.scalar(select(ModelCard).where(ModelCard.system_id == system_id)
                               .order_by(ModelCard.version.desc()).limit(1))


def version_record(card: ModelCard) -> dict[str, Any]:
    return {"version": card.version, "created_at": card.created_at.isoformat(),
            "created_by": card.created_by, "note": card.note,
            "content_sha256": card.content_sha256}


# --- what Steward fills in --------------------------------------------------------------------


def _group_label(group: dict[str, Any] | None) -> str:
    return ", ".join(f"{k}={v}" for k, v in (group or {}).items()) or "overall"


def fairness_slices(item: Evidence | None) -> dict[str, Any] | None:
    """Metrics by slice from a stored fairness audit."""
    if item is None:
        return None
    payload = item.payload or {}
    overall = payload.get("overall") or {}
    entries = [("overall", {"group": None, **overall}), *[
        (e.get("scope", ""), e) for e in [*payload.get("groups", []),
                                          *payload.get("intersections", [])]]]
    slices = [{"scope": scope, "slice": _group_label(e.get("group")), "n": e.get("n"),
               "selection_rate": e.get("selection_rate"),
               "selection_rate_ci": e.get("selection_rate_ci"),
               "selection_rate_ratio": e.get("selection_rate_ratio"),
               "tpr": e.get("tpr"), "fpr": e.get("fpr"), "precision": e.get("precision"),
               "judged": e.get("judged", True)} for scope, e in entries]
    options = payload.get("options") or {}
    problems = [{"verdict": f.get("verdict"), "reason": f.get("reason"),
                 "citation": f.get("citation")}
                for f in payload.get("findings", []) if f.get("verdict") != "pass"]
    return {"evidence_id": item.id, "created_at": item.created_at.isoformat(),
            "verdict": item.verdict, "policy_version": item.policy_version,
            "rows": payload.get("rows"), "decision": options.get("decision"),
            "label": options.get("label"), "groups": options.get("groups", []),
            "source": (payload.get("scope") or {}).get("source"),
            "slices": slices, "problems": problems, "stale": evidence_record(item)["stale"]}


def _drift(item: Evidence | None) -> dict[str, Any] | None:
    if item is None:
        return None
    summary = item.summary or {}
    return {"evidence_id": item.id, "created_at": item.created_at.isoformat(),
            "verdict": item.verdict, "title": item.title,
            "drift_share": summary.get("drift_share"),
            "drifted_columns": summary.get("drifted_columns", [])}


def _explanation(item: Evidence | None) -> dict[str, Any] | None:
    if item is None:
        return None
    payload = item.payload or {}
    return {"evidence_id": item.id, "created_at": item.created_at.isoformat(),
            "method": payload.get("method"), "output": payload.get("output"),
            "rows": payload.get("rows"), "explained": payload.get("explained"),
            "features": [{"feature": g.get("feature"), "label": g.get("label"),
                          "share": g.get("share"), "mean_abs_shap": g.get("mean_abs_shap")}
                         for g in payload.get("global_importance", [])[:10]]}


def _evidence_by_kind(unit: Unit, system_id: int) -> list[dict[str, Any]]:
    items = unit.session.scalars(select(Evidence).where(Evidence.system_id == system_id)
                                 .order_by(Evidence.created_at.desc(), Evidence.id.desc()))
    latest: dict[str, dict[str, Any]] = {}
    for item in items:
        if item.kind != KIND and item.kind not in latest:
            latest[item.kind] = evidence_record(item)
    return sorted(latest.values(), key=lambda e: e["kind"])


def _models(unit: Unit, system_id: int) -> list[dict[str, Any]]:
    query = select(ModelFile).where(ModelFile.system_id == system_id).order_by(
        ModelFile.registered_at.desc(), ModelFile.id.desc())
    return [{"id": m.id, "name": m.name, "version": m.version, "sha256": m.sha256,
             "format": m.format, "registered_at": m.registered_at.isoformat(),
             "registered_by": m.registered_by} for m in unit.session.scalars(query)]


def build_card(unit: Unit, system_id: int, *, fields: dict[str, str] | None = None,
               version: dict[str, Any] | None = None) -> dict[str, Any]:
    """The whole card as it stands now, with ``fields`` (default: the latest saved ones)."""
    system = _system(unit, system_id)
    latest = _latest_version(unit, system_id)
    if fields is None:
        fields = dict(latest.fields) if latest else {}
    if version is None and latest is not None:
        version = version_record(latest)
    record = system_record(system)
    words = {name: (fields.get(name) or "").strip() for name in FIELD_NAMES}
    models = _models(unit, system_id)
    fairness = fairness_slices(_latest(unit, system_id, "fairness_audit"))
    drift = _drift(_latest(unit, system_id, "drift_check"))
    explanation = _explanation(_latest(unit, system_id, "explanation"))
    monitors = unit.session.scalar(select(func.count()).select_from(Monitor).where(
        Monitor.system_id == system_id)) or 0
    versions = unit.session.scalar(select(func.count()).select_from(ModelCard).where(
        ModelCard.system_id == system_id)) or 0
    card: dict[str, Any] = {
        "schema": SCHEMA,
        "generated_at": datetime.now(UTC).isoformat(),
        "version": version,
        "system": {k: record[k] for k in ("id", "name", "purpose", "description", "stage",
                                          "tier", "risk_score", "classified_at")},
        "model_details": {
            "name": record["name"], "overview": words["overview"] or record["purpose"],
            "owners": [{"name": record["owner"], "role": "owner",
                        "business_unit": record["business_unit"]}],
            "vendor": record["vendor"], "product": record["product"],
            "model_name": record["model_name"], "model_version": record["model_version"],
            "hosting": record["hosting"], "model_files": models,
            "licence": words["licence"], "references": words["references"],
        },
        "model_parameters": {
            "architecture": words["architecture"], "ai_kinds": record["ai_kinds"],
            "data": {"training": {"description": words["training_data"],
                                  "sources": record["training_data_sources"],
                                  "trained_only_on_own_data":
                                      record["trained_only_on_own_data"]},
                     "evaluation": {"description": words["evaluation_data"]}},
            "data_categories": record["data_categories"], "data_uses": record["data_uses"],
            "consent_purposes": record["consent_purposes"],
            "vendor_trains_on_our_data": record["vendor_trains_on_our_data"],
        },
        "uses": {
            "intended_uses": words["intended_uses"], "intended_users": words["intended_users"],
            "out_of_scope_uses": words["out_of_scope_uses"], "channels": record["channels"],
            "customer_facing": record["customer_facing"],
            "jurisdictions": record["jurisdictions"],
        },
        "quantitative_analysis": {
            "performance_metrics": words["performance_metrics"], "fairness": fairness,
            "drift": drift, "explanation": explanation,
        },
        "considerations": {k: words[k] for k in ("limitations", "tradeoffs",
                                                 "ethical_considerations", "mitigations")},
        "governance": {
            "stage": record["stage"], "tier": record["tier"],
            "risk_score": record["risk_score"], "human_oversight": record["human_oversight"],
            "human_oversight_measures": words["human_oversight_measures"],
            "risk_management": words["risk_management"], "monitors": monitors,
            "obligations": [{k: o[k] for k in ("id", "title", "citation", "status", "stage")}
                            for o in record["obligations"]],
        },
        "evidence": _evidence_by_kind(unit, system_id),
        "fields": words,
        "annex_iv": None,
    }
    if record["tier"] == "high":
        card["annex_iv"] = annex_iv(card, words, card_versions=versions)
    return card


# --- EU AI Act Annex IV -----------------------------------------------------------------------


def _section(point: str, title: str, items: list[tuple[str, bool]]) -> dict[str, Any]:
    have = [label for label, ok in items if ok]
    missing = [label for label, ok in items if not ok]
    status = "present" if not missing else "missing" if not have else "partial"
    return {"point": point, "title": title, "status": status, "have": have,
            "missing": missing}


def annex_iv(card: dict[str, Any], words: dict[str, str], *,
             card_versions: int) -> dict[str, Any]:
    """The Annex IV technical documentation, point by point: what Steward holds, what is not."""
    details, params = card["model_details"], card["model_parameters"]
    quant, gov = card["quantitative_analysis"], card["governance"]
    obligations = {o["id"]: o["status"] for o in gov["obligations"]}
    fairness = quant["fairness"]
    conformity_met = obligations.get("eu_ai_act.high_risk.conformity_assessment") == "met"
    sections = [
        _section("1", "General description of the AI system", [
            ("intended purpose", bool(card["system"]["purpose"])),
            ("provider / owner", bool(details["owners"])),
            ("model version", bool(details["model_version"] or details["model_files"])),
            ("intended uses", bool(words["intended_uses"])),
            ("intended users and instructions for use", bool(words["intended_users"])),
            ("how it is deployed (hosting)", bool(details["hosting"])),
        ]),
        _section("2", "Elements of the system and its development process", [
            ("design and architecture", bool(words["architecture"])),
            ("training data description", bool(words["training_data"])),
            ("data provenance", bool(params["data"]["training"]["sources"])),
            ("human oversight assessment", bool(words["human_oversight_measures"])),
            ("validation and testing metrics", bool(words["performance_metrics"])),
            ("tests for discriminatory impact (fairness audit)", fairness is not None),
            ("cybersecurity measures", bool(words["cybersecurity"])),
        ]),
        _section("3", "Monitoring, functioning and control", [
            ("capabilities and limitations", bool(words["limitations"])),
            ("accuracy for groups of persons", fairness is not None and any(
                s["scope"] != "overall" for s in fairness["slices"])),
            ("foreseeable risks and unintended outcomes",
             bool(words["ethical_considerations"])),
            ("human oversight measures", gov["human_oversight"] is True
             or bool(words["human_oversight_measures"])),
            ("input data specification", bool(params["data_categories"])),
        ]),
        _section("4", "Appropriateness of the performance metrics", [
            ("why the metrics fit this system", bool(words["performance_metrics"])),
        ]),
        _section("5", "Risk management system (Art. 9)", [
            ("risk classification", bool(card["system"]["tier"])),
            ("risk management process", bool(words["risk_management"])),
            ("mitigations", bool(words["mitigations"])),
        ]),
        _section("6", "Changes through the lifecycle", [
            ("versioned documentation", card_versions > 0),
            ("registered model versions", bool(details["model_files"])),
        ]),
        _section("7", "Harmonised standards or other solutions applied", [
            ("standards applied", bool(words["standards"])),
        ]),
        _section("8", "EU declaration of conformity (Art. 47)", [
            ("declaration of conformity", conformity_met
             or bool(words["declaration_of_conformity"])),
        ]),
        _section("9", "Post-market monitoring (Art. 72)", [
            ("post-market monitoring plan", bool(words["post_market_monitoring"])),
            ("monitoring in place (monitors or drift checks)",
             gov["monitors"] > 0 or quant["drift"] is not None),
        ]),
    ]
    missing = [f"{s['point']}: {m}" for s in sections for m in s["missing"]]
    return {"sections": sections, "missing": missing,
            "complete": not missing,
            "citation": "EU AI Act (Regulation (EU) 2024/1689), Art. 11(1) and Annex IV"}


# --- reading and saving -------------------------------------------------------------------------


def get_card(unit: Unit, system_id: int, *, version: int | None = None) -> dict[str, Any]:
    """The card now (from the latest saved fields), or a saved version's snapshot."""
    unit.require(ANY_READER, "read model cards")
    auditors.check_visible(unit, system_id, log_view="model card")
    _system(unit, system_id)
    if version is None:
        return build_card(unit, system_id)
    stored = unit.session.scalar(select(ModelCard).where(
        ModelCard.system_id == system_id, ModelCard.version == version))
    if stored is None:
        raise NotFound(NO_VERSION.format(system_id=system_id, version=version))
    return {**stored.snapshot, "version": version_record(stored)}


def list_versions(unit: Unit, system_id: int) -> list[dict[str, Any]]:
    """A system's saved card versions, newest first."""
    unit.require(ANY_READER, "read model cards")
    auditors.check_visible(unit, system_id)
    _system(unit, system_id)
    query = select(ModelCard).where(ModelCard.system_id == system_id).order_by(
        ModelCard.version.desc())
    return [version_record(c) for c in unit.session.scalars(query)]


def _clean(fields: dict[str, Any]) -> dict[str, str]:
    cleaned = {}
    for name, value in fields.items():
        if name not in FIELD_NAMES:
            raise InvalidInput(UNKNOWN_FIELD.format(name=name, names=", ".join(FIELD_NAMES)))
        text = "" if value is None else str(value).replace("\r\n", "\n").strip()
        if len(text) > MAX_FIELD:
            raise InvalidInput(f"model card field {name!r} is longer than {MAX_FIELD:,} "
                               f"characters")
        cleaned[name] = text
    return cleaned


def save_card(unit: Unit, system_id: int, fields: dict[str, Any], *, note: str | None = None,
              expected_version: int | None = None) -> dict[str, Any]:
    """Save a new version: the given fields over the latest version's (audited, evidence)."""
    unit.require(EDIT_CARDS, "edit model cards")
    _system(unit, system_id)
    given = _clean(dict(fields))
    latest = _latest_version(unit, system_id)
    current = latest.version if latest else 0
    if expected_version is not None and expected_version != current:
        raise Conflict(STALE_EDIT.format(system_id=system_id, current=current,
                                         expected=expected_version))
    merged = {**(dict(latest.fields) if latest else {}), **given}
    merged = {k: v for k, v in merged.items() if v}
    now = datetime.now(UTC)
    number = current + 1
    info = {"version": number, "created_at": now.isoformat(), "created_by": unit.actor.label,
            "note": (note or "").strip() or None}
    snapshot = build_card(unit, system_id, fields=merged, version=info)
    if snapshot["annex_iv"] is not None:  # this version itself counts as versioned documentation
        snapshot["annex_iv"] = annex_iv(snapshot, snapshot["fields"], card_versions=number)
    sha = payload_hash(snapshot)
    card = ModelCard(system_id=system_id, version=number, fields=merged, snapshot=snapshot,
                     content_sha256=sha, note=info["note"], created_by=unit.actor.label,
                     created_at=now)
    unit.session.add(card)
    unit.session.flush()
    record = version_record(card)
    unit.audit("model_card.save", "ai_system", system_id,
               before={"version": current, "fields": dict(latest.fields) if latest else {}},
               after={**record, "fields": merged})
    annex = snapshot["annex_iv"]
    record_evidence(unit, kind=KIND, system_id=system_id, payload=snapshot,
                    title=f"Model card version {number}",
                    summary={"version": number, "content_sha256": sha,
                             "annex_iv_missing": len(annex["missing"]) if annex else None},
                    fresh_days=365)
    return {**snapshot, "version": record}
