"""The content guard as use cases: scan, submit, review, and receipts for publishing systems.

``scan`` is pure (nothing stored): a CMS or marketing-automation tool calls it before sending.
``submit`` stores the item with its findings; an item at ``review`` enters the review queue,
where a person with an approver role (legal, marketing, committee, admin) approves it, requests
changes or rejects it, with a comment — never the person who submitted it. Passed and approved
items get a **receipt** (content hash, policy version, reviewer, time, HMAC signature) that a
publishing system checks with ``receipt(sha256)`` before it sends.

The content hash is the SHA-256 of the text's UTF-8 bytes exactly as submitted.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import select

from steward.config import Settings
from steward.core.roles import ANY_READER, ANY_STAFF_WRITER, Role, write_access
from steward.engines.content import ContentMeta, Scanner, ScanResult, normalise_channel
from steward.errors import Conflict, Forbidden, InvalidInput, NotFound
from steward.rules.content_loader import load_content_rules
from steward.services import gates, policy
from steward.services.runtime import Unit
from steward.storage.orm import AISystem, ContentItem, ContentReview

SCAN_CONTENT = ANY_STAFF_WRITER  # nothing is stored, but auditors only read
SUBMIT_CONTENT = write_access(Role.MARKETING, Role.LEGAL, Role.PRIVACY, Role.COMMITTEE,
                              Role.DATA_SCIENCE, Role.IT)
DECIDE_CONTENT = write_access(Role.LEGAL, Role.MARKETING, Role.COMMITTEE)
DECISIONS = {"approve": "approved", "request_changes": "changes_requested", "reject": "rejected"}
STATUSES = ("passed", "pending_review", "approved", "changes_requested", "rejected", "blocked")
MAX_TEXT = 1_000_000
MAX_BATCH = 10_000


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- scanning --------------------------------------------------------------------------------

def _rule_sources(settings: Settings) -> tuple[str, ...]:
    folder = settings.rules_dir / "content" if settings.rules_dir else None
    if folder is None or not folder.is_dir():
        return ()
    return tuple(f"{p}:{p.stat().st_mtime_ns}" for p in sorted(folder.iterdir())
                 if p.suffix in (".yaml", ".yml"))


@lru_cache(maxsize=8)
def _scanner(sources: tuple[str, ...]) -> Scanner:
    paths = [Path(s.rsplit(":", 1)[0]) for s in sources]
    try:
        return Scanner(load_content_rules(extra_paths=paths))
    except ValueError as exc:  # a pattern the engine refuses, named in the message
        raise InvalidInput(f"content rules: {exc}") from None


def scanner(settings: Settings) -> Scanner:
    """The compiled scanner for these settings (built-in and organisation rules), cached."""
    return _scanner(_rule_sources(settings))


def policy_version(settings: Settings) -> str:
    return scanner(settings).policy.version


def _check_input(text: object, channel: object, metadata: object) -> tuple[str, str | None,
                                                                         ContentMeta]:
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("text must be a non-empty string")
    if len(text) > MAX_TEXT:
        raise InvalidInput("text is longer than 1,000,000 characters")
    try:
        norm = normalise_channel(channel if isinstance(channel, str) or channel is None
                                 else str(channel))
        if metadata is not None and not isinstance(metadata, Mapping):
            raise ValueError("metadata must be an object")
        meta = ContentMeta.of(metadata)  # type: ignore[arg-type]
    except (ValueError, TypeError) as exc:
        raise InvalidInput(str(exc)) from None
    return text, norm, meta


def scan_result(result: ScanResult, *, text: str, settings: Settings) -> dict[str, Any]:
    return {"verdict": result.verdict, "sha256": content_hash(text),
            "policy_version": policy_version(settings),
            "findings": [f.as_dict() for f in result.findings]}


VERDICT_ORDER = ("pass", "review", "block")
POLICY_TO_VERDICT = {"pass": "pass", "warn": "review", "block": "block"}


def judge_by_policy(unit: Unit, result: ScanResult, *, channel: str | None,
                    meta: ContentMeta, system_id: int | None = None) -> dict[str, Any]:
    """The policy in force judges the content too: its ``content`` rules see the channel, the
    metadata and whether a disclosure was found; the stricter of the two verdicts wins."""
    missing_disclosure = any(f.rule == "disclosure.ai-content" for f in result.findings)
    facts: dict[str, Any] = {"content": {
        "channel": channel or "", "customer_facing": meta.customer_facing,
        "ai_generated": meta.ai_generated,
        "ai_disclosure": meta.ai_disclosure or (meta.ai_generated and not missing_disclosure),
    }}
    if system_id is not None:
        system = unit.session.get(AISystem, system_id)
        if system is not None:
            facts["system"] = gates.system_facts(system)
    decision = policy.judge(unit, applies_to="content", facts=facts)
    policy_verdict = POLICY_TO_VERDICT[decision["outcome"]]
    verdict = max(result.verdict, policy_verdict, key=VERDICT_ORDER.index)
    return {"verdict": verdict, "policy_version": str(decision["policy_version"]),
            "policy_decision": {"outcome": decision["outcome"], "fired": decision["fired"]}}


def scan(unit: Unit, text: str, *, channel: str | None = None,
         metadata: Mapping[str, Any] | None = None,
         system_id: int | None = None) -> dict[str, Any]:
    """Findings and verdict for one text, judged by the policy in force; nothing is stored."""
    unit.require(SCAN_CONTENT, "scan content")
    text, norm, meta = _check_input(text, channel, metadata)
    result = scanner(unit.settings).scan(text, channel=norm, metadata=meta)
    return {**scan_result(result, text=text, settings=unit.settings),
            **judge_by_policy(unit, result, channel=norm, meta=meta, system_id=system_id)}


def scan_batch(settings: Settings, items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Scan many ``{id, text, channel?, metadata?}`` items in one pass; results in input order.

    Pure and local (the CLI's batch mode): it needs settings for the rules, no database.
    """
    if len(items) > MAX_BATCH * 100:
        raise InvalidInput("too many items in one batch")
    prepared = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, Mapping):
            raise InvalidInput(f"item {number}: expected an object with id and text")
        try:
            text, norm, meta = _check_input(item.get("text"), item.get("channel"),
                                            item.get("metadata"))
        except InvalidInput as exc:
            raise InvalidInput(f"item {number}: {exc.message}") from None
        prepared.append((text, norm, meta))
    results = scanner(settings).scan_many(prepared)
    return [{"id": item.get("id"), "verdict": r.verdict,
             "findings": [f.as_dict() for f in r.findings]}
            for item, r in zip(items, results, strict=True)]


def scan_many_in_unit(unit: Unit, items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    unit.require(SCAN_CONTENT, "scan content")
    if len(items) > MAX_BATCH:
        raise InvalidInput(f"at most {MAX_BATCH} items per request")
    return scan_batch(unit.settings, items)


# -- the review queue ------------------------------------------------------------------------

def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _sign(settings: Settings, fields: Mapping[str, Any]) -> str:
    message = json.dumps(fields, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return hmac.new(settings.secret_key.encode("utf-8"), message, hashlib.sha256).hexdigest()


def _receipt_fields(item: ContentItem) -> dict[str, Any]:
    return {"content_sha256": item.sha256, "item_id": item.id, "status": item.status,
            "verdict": item.verdict, "policy_version": item.policy_version,
            "reviewer": item.reviewer, "approved_at": _iso(item.decided_at or item.created_at)}


def item_record(item: ContentItem, *, with_text: bool = True) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": item.id, "sha256": item.sha256, "title": item.title, "channel": item.channel,
        "metadata": dict(item.meta), "system_id": item.system_id,
        "system": item.system.name if item.system else None, "campaign": item.campaign,
        "verdict": item.verdict, "status": item.status, "policy_version": item.policy_version,
        "submitted_by": item.submitted_by, "reviewer": item.reviewer,
        "decided_at": _iso(item.decided_at), "created_at": _iso(item.created_at),
        "updated_at": _iso(item.updated_at), "findings": list(item.findings),
        "reviews": [{"decision": r.decision, "comment": r.comment, "reviewer": r.reviewer,
                     "created_at": _iso(r.created_at)} for r in item.reviews],
    }
    if with_text:
        record["text"] = item.text
    if item.receipt_signature:
        record["receipt"] = {**_receipt_fields(item), "signature": item.receipt_signature}
    return record


def submit(unit: Unit, text: str, *, channel: str | None = None,
           metadata: Mapping[str, Any] | None = None, system_id: int | None = None,
           campaign: str | None = None, title: str = "") -> dict[str, Any]:
    """Scan and store an item: passed items get a receipt, review items join the queue."""
    unit.require(SUBMIT_CONTENT, "submit content")
    text, norm, meta = _check_input(text, channel, metadata)
    if system_id is not None and unit.session.get(AISystem, system_id) is None:
        raise NotFound(f"no AI system with id {system_id}")
    result = scanner(unit.settings).scan(text, channel=norm, metadata=meta)
    judged = judge_by_policy(unit, result, channel=norm, meta=meta, system_id=system_id)
    status = {"pass": "passed", "review": "pending_review", "block": "blocked"}[judged["verdict"]]
    now = datetime.now(UTC)
    item = ContentItem(
        sha256=content_hash(text), title=(title or text.strip().splitlines()[0])[:200],
        text=text, channel=norm, meta=meta.as_dict(), system_id=system_id,
        campaign=(campaign or "").strip()[:200] or None, verdict=judged["verdict"],
        findings=[f.as_dict() for f in result.findings],
        policy_version=judged["policy_version"], status=status,
        submitted_by=unit.actor.name, submitted_by_id=unit.actor.user_id,
        created_at=now, updated_at=now)
    unit.session.add(item)
    unit.session.flush()
    if status == "passed":
        item.receipt_signature = _sign(unit.settings, _receipt_fields(item))
    unit.session.flush()
    record = item_record(item)
    unit.audit("content.submit", "content_item", item.id,
               after={k: v for k, v in record.items() if k != "text"})
    return record


def _load(unit: Unit, item_id: int) -> ContentItem:
    item = unit.session.get(ContentItem, item_id)
    if item is None:
        raise NotFound(f"no content item with id {item_id}")
    return item


def list_items(unit: Unit, *, status: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """Items newest first (``status=pending_review`` is the review queue)."""
    unit.require(ANY_READER, "read content items")
    query = select(ContentItem).order_by(ContentItem.created_at.desc(),
                                         ContentItem.id.desc()).limit(max(1, min(limit, 1000)))
    if status:
        if status not in STATUSES:
            raise InvalidInput(f"unknown status {status!r}: use {', '.join(STATUSES)}")
        query = query.where(ContentItem.status == status)
    return [item_record(i, with_text=False) for i in unit.session.scalars(query).all()]


def get_item(unit: Unit, item_id: int) -> dict[str, Any]:
    unit.require(ANY_READER, "read content items")
    return item_record(_load(unit, item_id))


def decide(unit: Unit, item_id: int, *, decision: str, comment: str = "") -> dict[str, Any]:
    """Approve, request changes or reject an item waiting for review, with a comment."""
    unit.require(DECIDE_CONTENT, "review content")
    if decision not in DECISIONS:
        raise InvalidInput(f"decision must be one of {', '.join(DECISIONS)}, not {decision!r}")
    comment = (comment or "").strip()
    if decision != "approve" and not comment:
        raise InvalidInput("say what must change: a comment is required")
    if len(comment) > 10_000:
        raise InvalidInput("the comment is longer than 10,000 characters")
    item = _load(unit, item_id)
    if item.status != "pending_review":
        raise Conflict(f"content item {item_id} is {item.status}, not waiting for review")
    if item.submitted_by == unit.actor.name and unit.actor.via != "system":
        raise Forbidden("the person who submitted content cannot review it")
    before = item_record(item, with_text=False)
    now = datetime.now(UTC)
    item.status = DECISIONS[decision]
    item.reviewer = unit.actor.name
    item.decided_at = item.updated_at = now
    item.reviews.append(ContentReview(decision=decision, comment=comment,
                                      reviewer=unit.actor.name, created_at=now))
    unit.session.flush()
    if item.status == "approved":
        item.receipt_signature = _sign(unit.settings, _receipt_fields(item))
        unit.session.flush()
    after = item_record(item, with_text=False)
    unit.audit(f"content.{decision}", "content_item", item.id, before=before, after=after)
    return item_record(item)


def receipt(unit: Unit, sha256: str) -> dict[str, Any]:
    """The newest receipt for content with this hash (passed or approved), or NotFound."""
    unit.require(ANY_READER, "check content receipts")
    digest = sha256.strip().lower()
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise InvalidInput("sha256 must be 64 hexadecimal characters")
    item = unit.session.scalar(
        select(ContentItem).where(ContentItem.sha256 == digest,
                                  ContentItem.status.in_(("passed", "approved")),
                                  ContentItem.receipt_signature.is_not(None))
        .order_by(ContentItem.id.desc()).limit(1))
    if item is None:
        raise NotFound("no passed or approved content with this hash: do not publish it")
    return {**_receipt_fields(item), "signature": item.receipt_signature}


def verify_receipt(settings: Settings, document: Mapping[str, Any]) -> bool:
    """Whether a receipt's signature matches its fields (for tests and integrators)."""
    fields = {k: v for k, v in document.items() if k != "signature"}
    return hmac.compare_digest(_sign(settings, fields), str(document.get("signature", "")))


def queue_size(unit: Unit) -> int:
    unit.require(ANY_READER, "read content items")
    return len(unit.session.scalars(select(ContentItem.id).where(
        ContentItem.status == "pending_review")).all())


def iter_items_for_demo(unit: Unit, items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Submit several items (the demo loader's step)."""
    return [submit(unit, **item) for item in items]
