"""Policy packs as a use case: drafts, publication with a diff and changelog, the version in
force, and attestations.

Exactly one published version is in force; publishing a new one supersedes it. A published
version's document never changes (its SHA-256 is kept and checked), and every decision Steward
makes records the version that judged it. Until an organisation publishes its own, the built-in
default pack is in force as "version 0".
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from steward.core.audit_chain import canonical_json
from steward.core.policy import (
    PolicyError,
    PolicyPack,
    diff_packs,
    evaluate,
    parse_pack,
    render_changelog,
)
from steward.core.roles import ANY_READER, STAFF_ROLES, Role, write_access
from steward.errors import Conflict, Forbidden, InvalidInput, NotFound
from steward.rules.policy_loader import default_pack_text
from steward.services.runtime import Unit
from steward.storage.orm import Attestation, PolicyVersion, User

MANAGE_POLICY = write_access(Role.COMMITTEE, Role.LEGAL)
DEFAULT_VERSION = 0
MAX_DOCUMENT = 1_000_000
JUDGE_MEMO_SIZE = 4096
JUDGE_MEMO_MAX_KEY = 4096
"""Judging is pure (the same pack and facts give the same decision), so small fact sets are
memoised per runtime: a content scan's facts take a handful of values, and CEL is slow."""


@dataclass(frozen=True)
class PolicyInForce:
    version: int
    pack: PolicyPack
    title: str


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse(document: str) -> PolicyPack:
    """Parse and check a policy document; one clear line on any problem."""
    if len(document) > MAX_DOCUMENT:
        raise InvalidInput("the policy document is larger than 1 MB")
    try:
        return parse_pack(document)
    except PolicyError as exc:
        raise InvalidInput(f"policy: {exc}") from None


def _compiled(unit: Unit, document: str) -> PolicyPack:
    if unit.runtime is None:
        return parse(document)
    return unit.runtime.cached(f"policy:{_sha(document)}", lambda: parse(document))


def version_record(row: PolicyVersion, *, with_document: bool = False) -> dict[str, Any]:
    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    record: dict[str, Any] = {
        "version": row.version, "title": row.title, "status": row.status,
        "content_sha256": row.content_sha256, "created_by": row.created_by,
        "created_at": iso(row.created_at), "published_by": row.published_by,
        "published_at": iso(row.published_at), "superseded_at": iso(row.superseded_at),
        "changelog": row.changelog,
    }
    if with_document:
        record["document"] = row.document
    return record


def _get(unit: Unit, version: int) -> PolicyVersion:
    row = unit.session.scalar(select(PolicyVersion).where(PolicyVersion.version == version))
    if row is None:
        raise NotFound(f"no policy version {version}")
    return row


def _published(unit: Unit) -> PolicyVersion | None:
    return unit.session.scalar(select(PolicyVersion).where(PolicyVersion.status == "published"))


def create_draft(unit: Unit, *, document: str | None = None) -> dict[str, Any]:
    """A new draft: from the document given, else a copy of the version in force."""
    unit.require(MANAGE_POLICY, "draft policy versions")
    if document is None:
        current = _published(unit)
        document = current.document if current else default_pack_text()
    pack = parse(document)
    next_version = int(unit.session.scalar(select(func.max(PolicyVersion.version))) or 0) + 1
    row = PolicyVersion(version=next_version, title=pack.title, status="draft", document=document,
                        content_sha256=_sha(document), created_by=unit.actor.label)
    unit.session.add(row)
    unit.session.flush()
    record = version_record(row)
    unit.audit("policy.draft", "policy_version", row.version, after={**record,
                                                                     "document": document})
    return record


def update_draft(unit: Unit, version: int, *, document: str) -> dict[str, Any]:
    unit.require(MANAGE_POLICY, "edit policy drafts")
    row = _get(unit, version)
    if row.status != "draft":
        raise Conflict(f"policy version {version} is {row.status} and can no longer change")
    pack = parse(document)
    before = {**version_record(row), "document": row.document}
    row.document, row.title = document, pack.title
    row.content_sha256 = _sha(document)
    row.updated_at = datetime.now(UTC)
    unit.session.flush()
    unit.audit("policy.edit", "policy_version", version, before=before,
               after={**version_record(row), "document": document})
    return version_record(row)


def publish(unit: Unit, version: int) -> dict[str, Any]:
    """Publish a draft: it comes into force, the previous version is superseded."""
    unit.require(MANAGE_POLICY, "publish policy versions")
    row = _get(unit, version)
    if row.status != "draft":
        raise Conflict(f"policy version {version} is already {row.status}")
    new_pack = parse(row.document)
    current = _published(unit)
    old_pack = parse(current.document) if current else parse(default_pack_text())
    diff = diff_packs(old_pack, new_pack)
    now = datetime.now(UTC)
    if current is not None:
        current.status, current.superseded_at = "superseded", now
    row.status, row.published_at, row.published_by = "published", now, unit.actor.label
    row.changelog = render_changelog(diff, f"version {version}")
    unit.session.flush()
    record = version_record(row)
    unit.audit("policy.publish", "policy_version", version,
               before={"in_force": current.version if current else DEFAULT_VERSION},
               after={**record, "diff": diff.to_dict()})
    return {**record, "diff": diff.to_dict()}


def list_versions(unit: Unit) -> list[dict[str, Any]]:
    unit.require(ANY_READER, "read the policy")
    rows = unit.session.scalars(select(PolicyVersion).order_by(PolicyVersion.version)).all()
    return [version_record(r) for r in rows]


def get_version(unit: Unit, version: int) -> dict[str, Any]:
    unit.require(ANY_READER, "read the policy")
    row = _get(unit, version)
    if row.status != "draft" and _sha(row.document) != row.content_sha256:
        raise Conflict(f"policy version {version} was altered after publication")
    return version_record(row, with_document=True)


def diff_versions(unit: Unit, old: int, new: int) -> dict[str, Any]:
    unit.require(ANY_READER, "read the policy")
    old_doc = default_pack_text() if old == DEFAULT_VERSION else _get(unit, old).document
    diff = diff_packs(parse(old_doc), parse(_get(unit, new).document))
    return {"from": old, "to": new, "diff": diff.to_dict(),
            "changelog": render_changelog(diff, f"version {new}")}


def in_force(unit: Unit) -> PolicyInForce:
    """The published version in force, or the built-in default pack (version 0)."""
    row = _published(unit)
    if row is None:
        pack = _compiled(unit, default_pack_text())
        return PolicyInForce(version=DEFAULT_VERSION, pack=pack, title=pack.title)
    return PolicyInForce(version=row.version, pack=_compiled(unit, row.document), title=row.title)


def judge(unit: Unit, *, applies_to: str, facts: dict[str, Any]) -> dict[str, Any]:
    """Judge facts (a system, an engine result, …) by the policy in force; the decision records
    the version that judged it."""
    force = in_force(unit)
    key = canonical_json([force.version, applies_to, facts])  # versions never change
    memo: dict[str, dict[str, Any]] | None = None
    if len(key) <= JUDGE_MEMO_MAX_KEY and unit.runtime is not None:
        memo = unit.runtime.cached("policy_judgements", dict)
        if key in memo:
            return copy.deepcopy(memo[key])
    decision = evaluate(force.pack, applies_to=applies_to, facts=facts)
    result = {**decision.to_dict(), "policy_version": force.version}
    if memo is not None:
        if len(memo) >= JUDGE_MEMO_SIZE:
            memo.clear()
        memo[key] = copy.deepcopy(result)
    return result


def attest(unit: Unit, version: int | None = None) -> dict[str, Any]:
    """The actor attests that they read a published version (the one in force by default)."""
    if unit.actor.user_id is None:
        raise Forbidden("only a person can attest to the policy")
    if not unit.actor.roles & STAFF_ROLES:
        raise Forbidden("auditors do not attest to the policy")
    row = _published(unit) if version is None else _get(unit, version)
    if row is None or row.status == "draft":
        raise Conflict("only a published policy version can be attested")
    existing = unit.session.scalar(select(Attestation).where(
        Attestation.user_id == unit.actor.user_id, Attestation.policy_version_id == row.id))
    if existing is not None:
        return {"username": unit.actor.name, "version": row.version,
                "attested_at": existing.attested_at.isoformat()}
    item = Attestation(user_id=unit.actor.user_id, policy_version_id=row.id)
    unit.session.add(item)
    unit.session.flush()
    record = {"username": unit.actor.name, "version": row.version,
              "attested_at": item.attested_at.isoformat()}
    unit.audit("policy.attest", "policy_version", row.version, after=record)
    return record


def attestation_status(unit: Unit, version: int | None = None) -> dict[str, Any]:
    """Who must attest to a version (by the roles it names), who has, and who has not."""
    unit.require(ANY_READER, "read attestations")
    row = _published(unit) if version is None else _get(unit, version)
    if row is None:
        return {"version": None, "roles": [], "attested": [], "missing": []}
    roles = set(parse(row.document).attestation_roles)
    people = unit.session.scalars(select(User).where(User.is_active.is_(True))
                                  .order_by(User.username)).all()
    required = [u for u in people if roles & set(u.role_names)]
    done = {a.user_id: a.attested_at for a in unit.session.scalars(
        select(Attestation).where(Attestation.policy_version_id == row.id)).all()}
    return {
        "version": row.version, "roles": sorted(roles),
        "attested": [{"username": u.username, "attested_at": done[u.id].isoformat()}
                     for u in required if u.id in done],
        "missing": [{"username": u.username, "roles": u.role_names}
                    for u in required if u.id not in done],
    }
