"""Content credentials as use cases: the organisation's signing keys, signing AI-generated
images with a C2PA manifest naming the generating system, verifying incoming images, and the
register of AI-generated assets per AI system and campaign.

Keys live in ``STEWARD_DATA_DIR/keys``: ``signer-chain.pem`` (leaf + intermediate),
``signer-key.pem`` and ``trust-anchors.pem`` (the roots whose signatures count as Trusted).
``init_keys`` makes a self-signed chain for trials; an organisation replaces the files with its
own certificate for production.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from steward.config import Settings
from steward.core.roles import ADMIN_ONLY, ANY_READER, ANY_STAFF_WRITER, Role, write_access
from steward.engines.content.credentials import (
    CredentialError,
    generate_chain,
    read_credentials,
    sign_image,
    sniff_mime,
)
from steward.errors import Conflict, InvalidInput, NotFound
from steward.services.runtime import Unit
from steward.storage.orm import AIAsset, AISystem

SIGN_ASSETS = write_access(Role.MARKETING, Role.IT, Role.DATA_SCIENCE, Role.LEGAL, Role.COMMITTEE)
MAX_IMAGE_BYTES = 50 * 1024 * 1024
CHAIN_FILE, KEY_FILE, ANCHORS_FILE = "signer-chain.pem", "signer-key.pem", "trust-anchors.pem"


@dataclass(frozen=True)
class KeyFiles:
    folder: Path

    @property
    def chain(self) -> Path:
        return self.folder / CHAIN_FILE

    @property
    def key(self) -> Path:
        return self.folder / KEY_FILE

    @property
    def anchors(self) -> Path:
        return self.folder / ANCHORS_FILE


def key_files(settings: Settings) -> KeyFiles:
    return KeyFiles(Path(settings.data_dir) / "keys")


def init_keys(unit: Unit, *, organisation: str, force: bool = False) -> dict[str, Any]:
    """Generate a self-signed root, intermediate and signing leaf for trials."""
    unit.require(ADMIN_ONLY, "create signing keys")
    if not organisation.strip():
        raise InvalidInput("give the organisation's name")
    files = key_files(unit.settings)
    if files.key.exists() and not force:
        raise Conflict(f"signing keys already exist in {files.folder} (use --force to replace)")
    chain = generate_chain(organisation.strip())
    files.folder.mkdir(parents=True, exist_ok=True)
    files.chain.write_text(chain.chain_pem, encoding="utf-8")
    files.anchors.write_text(chain.root_pem, encoding="utf-8")
    files.key.write_text(chain.key_pem, encoding="utf-8")
    os.chmod(files.key, 0o600)
    record = {"folder": str(files.folder), "organisation": organisation.strip(),
              "chain": str(files.chain), "trust_anchors": str(files.anchors)}
    unit.audit("content.keys_init", "signing_keys", "org", after=record)
    return record


def _read(path: Path, what: str) -> str:
    if not path.is_file():
        raise InvalidInput(f"no {what} at {path}: run `steward content keys init` or install "
                           "the organisation's certificate there")
    return path.read_text(encoding="utf-8")


def _check_image(data: bytes) -> str:
    if not data:
        raise InvalidInput("the image is empty")
    if len(data) > MAX_IMAGE_BYTES:
        raise InvalidInput("the image is larger than 50 MB")
    try:
        return sniff_mime(data)
    except CredentialError as exc:
        raise InvalidInput(str(exc)) from None


def asset_record(asset: AIAsset) -> dict[str, Any]:
    return {"id": asset.id, "sha256": asset.sha256, "source_sha256": asset.source_sha256,
            "system_id": asset.system_id, "system": asset.system.name if asset.system else None,
            "campaign": asset.campaign, "file_name": asset.file_name,
            "mime_type": asset.mime_type, "manifest_label": asset.manifest_label,
            "status": asset.status, "signed_by": asset.signed_by,
            "signed_at": asset.signed_at.isoformat()}


def sign(unit: Unit, data: bytes, *, file_name: str, system_id: int | None = None,
         campaign: str | None = None) -> tuple[bytes, dict[str, Any]]:
    """Sign an AI-generated image and register it; returns the signed bytes and the record."""
    unit.require(SIGN_ASSETS, "sign AI-generated assets")
    mime = _check_image(data)
    system = None
    if system_id is not None:
        system = unit.session.get(AISystem, system_id)
        if system is None:
            raise NotFound(f"no AI system with id {system_id}")
    files = key_files(unit.settings)
    chain, key = _read(files.chain, "signer chain"), _read(files.key, "signing key")
    agent = "unregistered AI system"
    if system is not None:
        agent = " ".join(x for x in (system.name, "—", system.vendor or "in-house",
                                     system.model_name or "", system.model_version or "") if x)
    try:
        signed, label = sign_image(
            data, chain_pem=chain, key_pem=key, title=Path(file_name).name or "asset",
            generator="Steward content credentials", software_agent=agent.strip(),
            assertions=[{"label": "org.steward.register", "data": {
                "system_id": system_id, "system": system.name if system else None,
                "campaign": campaign}}])
    except CredentialError as exc:
        raise InvalidInput(str(exc)) from None
    asset = AIAsset(sha256=hashlib.sha256(signed).hexdigest(),
                    source_sha256=hashlib.sha256(data).hexdigest(), system_id=system_id,
                    campaign=(campaign or "").strip()[:200] or None,
                    file_name=Path(file_name).name[:500] or "asset", mime_type=mime,
                    manifest_label=label, status="signed", signed_by=unit.actor.name,
                    signed_at=datetime.now(UTC))
    unit.session.add(asset)
    unit.session.flush()
    record = asset_record(asset)
    unit.audit("content.sign", "ai_asset", asset.id, after=record)
    return signed, record


def verify(settings: Settings, data: bytes) -> dict[str, Any]:
    """Validate an image's credentials offline: Trusted, Valid, Invalid or None, and why."""
    _check_image(data)
    files = key_files(settings)
    anchors = files.anchors.read_text(encoding="utf-8") if files.anchors.is_file() else None
    try:
        report = read_credentials(data, trust_anchors_pem=anchors)
    except CredentialError as exc:
        raise InvalidInput(str(exc)) from None
    return {**report.as_dict(), "sha256": hashlib.sha256(data).hexdigest()}


def verify_in_unit(unit: Unit, data: bytes) -> dict[str, Any]:
    unit.require(ANY_STAFF_WRITER, "verify content credentials")
    result = verify(unit.settings, data)
    asset = unit.session.scalar(select(AIAsset).where(AIAsset.sha256 == result["sha256"]))
    result["registered_asset"] = asset_record(asset) if asset else None
    return result


def list_assets(unit: Unit, *, system_id: int | None = None, campaign: str | None = None,
                limit: int = 500) -> list[dict[str, Any]]:
    unit.require(ANY_READER, "read the AI asset register")
    query = select(AIAsset).order_by(AIAsset.signed_at.desc(), AIAsset.id.desc()).limit(limit)
    if system_id is not None:
        query = query.where(AIAsset.system_id == system_id)
    if campaign:
        query = query.where(AIAsset.campaign == campaign.strip())
    return [asset_record(a) for a in unit.session.scalars(query).all()]
