"""Explanations as a use case: a registry of model files, and explaining a registered model.

**Loading a pickle or joblib file runs code.** Steward therefore loads only *registered* model
files: ``steward models register SYSTEM_ID FILE`` (the server's operator, on the command line)
copies the file into ``<data_dir>/models/<sha256>.<ext>``, records its SHA-256 on the AI system
and writes the audit log. ``explain`` takes a registered model by id, or a path whose SHA-256
matches a registered file, checks the stored copy's hash again, and loads that copy; anything
else is refused. The API and the web can list and use registered models but cannot register
one: a person who may upload a pickle to a server may run code on it.

The customer's text comes from the organisation's template and labels
(``$STEWARD_RULES_DIR/explain/customer_reason.txt.j2`` and ``labels.yaml``, else the built-in
ones in ``steward/rules/explain``). The global importance of a run can be kept as evidence of
kind ``explanation`` on the model's system (the model card shows the latest); one person's
reasons are never stored.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from steward.config import Settings
from steward.core.roles import ANY_READER, Role, write_access
from steward.engines.explain import MODEL_SUFFIXES, customer_text, explain, labelled, load_model
from steward.errors import Conflict, Forbidden, InvalidInput, NotFound
from steward.services import auditors, data_paths
from steward.services.data_paths import confined
from steward.services.evidence import record_evidence
from steward.services.runtime import Unit
from steward.storage.orm import AISystem, ModelFile

REGISTER_MODELS = write_access(Role.DATA_SCIENCE, Role.IT)
RUN_EXPLANATIONS = write_access(Role.DATA_SCIENCE, Role.MARKETING, Role.PRIVACY, Role.LEGAL,
                                Role.COMMITTEE)
KIND = "explanation"
MODELS_DIR = "models"
MAX_MODEL_BYTES = 1024 * 1024 * 1024
MAX_TOP = 10

NOT_REGISTERED = ("{ref}: not a registered model file; loading a pickle runs code, so Steward "
                  "loads only files registered with `steward models register SYSTEM_ID FILE`")
NO_MODEL = "no registered model with id {id}"
TAMPERED = ("registered model {id}: the stored file no longer matches its SHA-256 "
            "({path}); register the file again")
MODEL_MISSING = "registered model {id}: the stored file {path} is missing"
TOO_LARGE = "{name}: larger than {mb} MB"
BAD_LABELS = "{path}: {problem}"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def model_record(item: ModelFile) -> dict[str, Any]:
    return {"id": item.id, "system_id": item.system_id,
            "system": item.system.name if item.system else None, "sha256": item.sha256,
            "name": item.name, "path": item.path, "format": item.format, "bytes": item.bytes,
            "version": item.version, "note": item.note, "registered_by": item.registered_by,
            "registered_at": item.registered_at.isoformat()}


# --- the registry -----------------------------------------------------------------------------


def register_model(unit: Unit, *, system_id: int, path: str | Path, version: str | None = None,
                   note: str | None = None) -> dict[str, Any]:
    """Copy a model file into the data directory under its SHA-256 and record it (audited)."""
    unit.require(REGISTER_MODELS, "register model files")
    system = unit.session.get(AISystem, system_id)
    if system is None:
        raise NotFound(f"no AI system with id {system_id}")
    source = Path(path)
    suffix = source.suffix.lower()
    if suffix not in MODEL_SUFFIXES:
        raise InvalidInput(f"{source.name}: a model file must end in "
                           f"{', '.join(MODEL_SUFFIXES)}")
    if not source.is_file():
        raise InvalidInput(f"{source}: no such file")
    size = source.stat().st_size
    if size > MAX_MODEL_BYTES:
        raise InvalidInput(TOO_LARGE.format(name=source.name, mb=MAX_MODEL_BYTES // 2**20))
    sha = file_sha256(source)
    existing = unit.session.scalar(select(ModelFile).where(
        ModelFile.system_id == system_id, ModelFile.sha256 == sha))
    if existing is not None:
        raise Conflict(f"{source.name} is already registered on AI system {system_id} "
                       f"(model {existing.id})")
    relative = f"{MODELS_DIR}/{sha}{suffix}"
    target = Path(unit.settings.data_dir) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        shutil.copyfile(source, target)
    item = ModelFile(system_id=system_id, sha256=sha, name=source.name[:300], path=relative,
                     format="joblib" if suffix == ".joblib" else "pickle", bytes=size,
                     version=(version or "").strip()[:100] or None,
                     note=(note or "").strip() or None, registered_by=unit.actor.label)
    unit.session.add(item)
    unit.session.flush()
    record = model_record(item)
    unit.audit("model.register", "ai_system", system_id, after=record)
    return record


def list_models(unit: Unit, *, system_id: int | None = None) -> list[dict[str, Any]]:
    """Registered model files, newest first (of one system, or all the actor may see)."""
    unit.require(ANY_READER, "list model files")
    query = select(ModelFile).order_by(ModelFile.registered_at.desc(), ModelFile.id.desc())
    if system_id is not None:
        auditors.check_visible(unit, system_id)
        query = query.where(ModelFile.system_id == system_id)
    else:
        visible = auditors.visible_system_ids(unit)
        if visible is not None:
            query = query.where(ModelFile.system_id.in_(visible or {-1}))
    return [model_record(m) for m in unit.session.scalars(query).all()]


def _by_id(unit: Unit, model_id: int) -> ModelFile:
    item = unit.session.get(ModelFile, model_id)
    if item is None:
        raise NotFound(NO_MODEL.format(id=model_id))
    auditors.check_visible(unit, item.system_id)
    return item


def get_model(unit: Unit, model_id: int) -> dict[str, Any]:
    unit.require(ANY_READER, "read model files")
    return model_record(_by_id(unit, model_id))


def resolve_model(unit: Unit, ref: str | int, *, allow_paths: bool = True) -> ModelFile:
    """A registered model by id, or by a path whose SHA-256 matches a registered file."""
    text = str(ref).strip()
    candidate = Path(text)
    if allow_paths and candidate.suffix.lower() in MODEL_SUFFIXES:
        if not candidate.is_file():
            raise InvalidInput(f"{text}: no such file")
        sha = file_sha256(candidate)
        query = select(ModelFile).where(ModelFile.sha256 == sha).order_by(ModelFile.id.desc())
        visible = auditors.visible_system_ids(unit)
        for item in unit.session.scalars(query):
            if visible is None or item.system_id in visible:
                return item
        raise Forbidden(NOT_REGISTERED.format(ref=text))
    if text.isdigit():
        return _by_id(unit, int(text))
    raise Forbidden(NOT_REGISTERED.format(ref=text))


def _stored_path(unit: Unit, item: ModelFile) -> Path:
    path = Path(unit.settings.data_dir) / item.path
    if not path.is_file():
        raise Conflict(MODEL_MISSING.format(id=item.id, path=item.path))
    if file_sha256(path) != item.sha256:
        raise Conflict(TAMPERED.format(id=item.id, path=item.path))
    return path


# --- the organisation's words -----------------------------------------------------------------


def _builtin(name: str) -> str:
    return (files("steward.rules") / "explain" / name).read_text("utf-8")


def _org_file(settings: Settings, name: str) -> Path | None:
    if settings.rules_dir is None:
        return None
    path = Path(settings.rules_dir) / "explain" / name
    return path if path.is_file() else None


def _read_labels(text: str, where: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise InvalidInput(BAD_LABELS.format(path=where, problem=str(exc).splitlines()[0])) \
            from None
    if not isinstance(data, Mapping) or not all(
            isinstance(data.get(k, {}) or {}, Mapping) for k in ("features", "context")):
        raise InvalidInput(BAD_LABELS.format(
            path=where, problem="expected a mapping with 'features' and 'context' mappings"))
    return {"features": dict(data.get("features") or {}),
            "context": dict(data.get("context") or {})}


def wording(settings: Settings) -> dict[str, Any]:
    """The customer template and the feature labels in force (organisation's over built-in)."""
    labels = _read_labels(_builtin("labels.yaml"), "built-in labels.yaml")
    org_labels = _org_file(settings, "labels.yaml")
    if org_labels is not None:
        mine = _read_labels(org_labels.read_text("utf-8"), str(org_labels))
        labels["features"].update(mine["features"])
        labels["context"].update(mine["context"])
    org_template = _org_file(settings, "customer_reason.txt.j2")
    template = (org_template.read_text("utf-8") if org_template is not None
                else _builtin("customer_reason.txt.j2"))
    return {"template": template, "features": labels["features"],
            "context": labels["context"],
            "source": str(org_template) if org_template else "built-in"}


# --- explaining -------------------------------------------------------------------------------


def explain_model(unit: Unit, *, model: str | int, data: str, row: str | None = None,
                  id_column: str | None = None, top: int = 3, sample: int | None = None,
                  confine: bool = False, record: bool = False) -> dict[str, Any]:
    """Explain a registered model on a table: global importance, and one person's reasons and
    customer text when ``row`` is given. ``record`` keeps the global part as evidence."""
    unit.require(RUN_EXPLANATIONS, "explain models")
    if not 1 <= top <= MAX_TOP:
        raise InvalidInput(f"top must be between 1 and {MAX_TOP}")
    item = resolve_model(unit, model, allow_paths=not confine)
    auditors.check_visible(unit, item.system_id)
    source = str(confined(unit.settings.data_dir, data)) if confine else data
    loaded = load_model(_stored_path(unit, item))
    result = explain(loaded, source, row=row or None, id_column=id_column or None,
                     sample=sample)
    data_dict = result.to_dict(top=top)
    words = wording(unit.settings)
    data_dict["model_file"] = model_record(item)
    data_dict["system"] = {"id": item.system_id, "name": item.system.name}
    data_dict["source"] = data
    labels = words["features"]
    data_dict["global_importance"] = labelled(data_dict["global_importance"], labels)
    data_dict["customer_text"] = None
    if data_dict["person"] is not None:
        person = data_dict["person"]
        person["reasons"] = labelled(person["reasons"], labels)
        person["contributions"] = labelled(person["contributions"], labels)
        context = {"offer": "offer", "company": "We", "contact": "",
                   **words["context"], "system": item.system.name}
        data_dict["customer_text"] = customer_text(person["reasons"], template=words["template"],
                                                   labels=labels, context=context)
    data_dict["evidence"] = None
    if record:
        payload = {k: v for k, v in data_dict.items()
                   if k not in ("person", "customer_text", "evidence")}
        top_features = [g["feature"] for g in data_dict["global_importance"][:3]]
        data_dict["evidence"] = record_evidence(
            unit, kind=KIND, system_id=item.system_id, payload=payload,
            title=f"Explanation of {item.name} on {Path(data).name}",
            summary={"model_id": item.id, "model_sha256": item.sha256,
                     "method": data_dict["method"], "rows": data_dict["rows"],
                     "explained": data_dict["explained"], "top_features": top_features},
            data_fingerprint=data_dict["fingerprint"])
    return data_dict


def data_files(unit: Unit, *, limit: int = 200) -> list[str]:
    """CSV and Parquet files under the data directory (relative paths, newest first)."""
    unit.require(RUN_EXPLANATIONS, "list data files")
    return [f["path"] for f in data_paths.data_files(unit.settings.data_dir, limit=limit)]
