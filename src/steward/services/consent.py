"""Consent: the ledger of consent events, the current state, receipts, and checks by system.

- **Decoding** TC and GPP strings stores nothing (:func:`decode_strings`).
- **Recording** appends events (first-party, CMP strings, GPC) to ``consent_events`` with an
  idempotency key: the same key twice records once (a different event under a used key is a
  conflict). In the same transaction the state per subject and purpose is brought up to date
  (latest event wins; a GPC signal is remembered) and the audit log gets an entry that names
  the events, never the subject.
- **Lookups** hash the identifier with the organisation's key and read the state: one indexed
  read. :func:`check` says whether a person may be processed by a system, purpose by purpose.
- **Receipts**: every event has one, signed with HMAC-SHA256 under the secret key, that the
  person can be shown and that :func:`verify_receipt` checks.

Bulk ingest, rights (access, erasure, opt-outs) and audiences live in ``consent_ingest``,
``consent_rights`` and ``consent_audience``.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

import anyio.to_thread
from sqlalchemy import func, select, text

from steward.core.audit_chain import canonical_json
from steward.core.consent import (
    DEFAULT_PURPOSES,
    LAWFUL_BASES,
    RULES,
    SOURCES,
    STATUSES,
    Purpose,
    State,
    explain,
    reason,
    worst,
)
from steward.core.roles import Role, read_access, write_access
from steward.engines.consent import ConsentStringError, decode_consent_string, parse_sec_gpc
from steward.engines.consent.mapping import events_from_string
from steward.engines.consent.subjects import subject_hash as hmac_subject
from steward.errors import Conflict, InvalidInput, NotFound
from steward.services import consent_keys
from steward.services.runtime import Actor, Runtime, Unit, require
from steward.storage.db import PlainQuery
from steward.storage.orm import AISystem, ConsentEvent, ConsentPurpose, ConsentState
from steward.storage.orm.base import UTCDateTime

MAX_STRING_LENGTH = 100_000
RECORD_CONSENT = write_access(Role.PRIVACY, Role.MARKETING, Role.IT)
READ_CONSENT = read_access(Role.PRIVACY, Role.LEGAL, Role.MARKETING, Role.IT, Role.DATA_SCIENCE,
                           Role.COMMITTEE, Role.AUDITOR)
MANAGE_PURPOSES = write_access(Role.PRIVACY, Role.LEGAL)
CONSENT_LOCK_KEY = 0x53_54_57_43  # "STWC": serialises ledger writes on PostgreSQL
MAX_EVENTS_PER_CALL = 1000

UNKNOWN_PURPOSE = "unknown consent purpose {purpose!r} (known: {known})"
KEY_REUSED = "idempotency key {key!r} was already used for a different event"


# --- decoding ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decoded:
    """One input string's outcome: its decoded fields, or the one-line reason it was refused."""

    index: int
    fields: dict[str, Any] | None
    error: str | None


def decode_strings(strings: Iterable[str]) -> Iterator[Decoded]:
    """Decode each TC or GPP string, in input order; a malformed one gives its error, not a stop."""
    for index, raw in enumerate(strings, start=1):
        text_ = raw.strip()
        try:
            if not text_:
                raise ConsentStringError("empty consent string")
            if len(text_) > MAX_STRING_LENGTH:
                raise ConsentStringError(f"consent string longer than {MAX_STRING_LENGTH} "
                                         "characters")
            yield Decoded(index=index, fields=decode_consent_string(text_), error=None)
        except ConsentStringError as exc:
            yield Decoded(index=index, fields=None, error=exc.message)


def gpc_signal(header_value: str | None) -> bool:
    """True when a ``Sec-GPC`` header value signals Global Privacy Control."""
    return parse_sec_gpc(header_value)


# --- purposes ---------------------------------------------------------------------------------


def _to_purpose(row: ConsentPurpose) -> Purpose:
    return Purpose(key=row.key, title=row.title, description=row.description,
                   data_uses=tuple(row.data_uses), tcf_purposes=tuple(row.tcf_purposes),
                   gpp_opt_outs=tuple(row.gpp_opt_outs), gpc=row.gpc, profiling=row.profiling,
                   bases=tuple(row.bases), rules=dict(row.rules))


def _row_fields(p: Purpose) -> dict[str, Any]:
    record = p.to_dict()
    return {k: record[k] for k in ("key", "title", "description", "data_uses", "tcf_purposes",
                                   "gpp_opt_outs", "gpc", "profiling", "bases", "rules")}


def ensure_purposes(unit: Unit) -> None:
    """Seed Steward's default purposes into an empty purpose table (first use)."""
    if unit.session.scalar(select(func.count(ConsentPurpose.id))):
        return
    for p in DEFAULT_PURPOSES:
        unit.session.add(ConsentPurpose(**_row_fields(p)))
    unit.session.flush()
    unit.audit("consent.purposes_seed", "consent_purpose", "defaults",
               after=[p.key for p in DEFAULT_PURPOSES])


PURPOSE_CACHE_SECONDS = 60


def _load_purposes(unit: Unit) -> dict[str, Purpose]:
    ensure_purposes(unit)
    rows = unit.session.scalars(select(ConsentPurpose).order_by(ConsentPurpose.key)).all()
    return {r.key: _to_purpose(r) for r in rows}


def _purposes_key(minutes_ago: int = 0) -> str:
    """The runtime cache's key for the purposes of this minute (or of an earlier one)."""
    return f"consent:purposes:{int(time.monotonic() // PURPOSE_CACHE_SECONDS) - minutes_ago}"


def purposes(unit: Unit) -> dict[str, Purpose]:
    """Every purpose by key (seeding the defaults on first use). Kept for a minute per runtime
    (lookups read them on every request); a change made here is seen at once."""
    if unit.runtime is None:
        return _load_purposes(unit)
    unit.runtime.forget(_purposes_key(1))
    return unit.runtime.cached(_purposes_key(), lambda: _load_purposes(unit))


def _cached_purposes(runtime: Runtime) -> dict[str, Purpose] | None:
    """This minute's purposes if the runtime holds them."""
    cached: dict[str, Purpose] | None = runtime.peek(_purposes_key())
    return cached


def _purposes_of(runtime: Runtime, actor: Actor) -> dict[str, Purpose]:
    """The purposes from the runtime's cache; a unit of work only when they are not there
    (once a minute per process), so a quick lookup usually opens none."""
    cached = _cached_purposes(runtime)
    if cached is not None:
        return cached
    with runtime.unit(actor) as unit:
        return purposes(unit)


def _forget_purposes(unit: Unit) -> None:
    if unit.runtime is not None:
        unit.runtime.forget("consent:purposes:", prefix=True)


def list_purposes(unit: Unit) -> list[dict[str, Any]]:
    unit.require(READ_CONSENT, "read consent purposes")
    return [p.to_dict() for p in purposes(unit).values()]


def define_purpose(unit: Unit, data: Mapping[str, Any]) -> dict[str, Any]:
    """Add a purpose or change one (its key stays)."""
    from steward.core.taxonomy import data_uses, unknown  # fideslang: a quarter second to load

    unit.require(MANAGE_PURPOSES, "define consent purposes")
    known = purposes(unit)
    key = str(data.get("key") or "").strip().lower()
    if not key or len(key) > 64 or not key.replace("_", "").isalnum():
        raise InvalidInput("a purpose key is 1-64 lowercase letters, digits and underscores")
    base = known.get(key)
    merged = {**(base.to_dict() if base else {"title": key.replace("_", " ").capitalize()}),
              **{k: v for k, v in data.items() if v is not None}, "key": key}
    bad_uses = unknown(list(merged.get("data_uses", [])), data_uses())
    if bad_uses:
        raise InvalidInput(f"unknown fideslang data use {bad_uses[0]!r}")
    if any(not isinstance(t, int) or not 1 <= t <= 11 for t in merged.get("tcf_purposes", [])):
        raise InvalidInput("TCF purposes are numbers from 1 to 11")
    if any(b not in LAWFUL_BASES for b in merged.get("bases", ["consent"])):
        raise InvalidInput(f"lawful bases are {', '.join(LAWFUL_BASES)}")
    rules = {str(k).upper() if k != "*" else "*": v for k, v in
             dict(merged.get("rules") or {"*": "opt_in"}).items()}
    if any(v not in RULES for v in rules.values()):
        raise InvalidInput(f"jurisdiction rules are {', '.join(RULES)}")
    merged["rules"] = rules
    try:
        purpose = Purpose(**{k: tuple(v) if isinstance(v, list) else v
                             for k, v in merged.items()})
    except TypeError as exc:
        raise InvalidInput(f"purpose: {exc}") from None
    row = unit.session.scalar(select(ConsentPurpose).where(ConsentPurpose.key == key))
    before = base.to_dict() if base else None
    if row is None:
        row = ConsentPurpose(**_row_fields(purpose))
        unit.session.add(row)
    else:
        for name, value in _row_fields(purpose).items():
            setattr(row, name, value)
    unit.session.flush()
    unit.audit("consent.purpose", "consent_purpose", key, before=before, after=purpose.to_dict())
    _forget_purposes(unit)
    return purpose.to_dict()


def _purpose(known: Mapping[str, Purpose], key: str) -> Purpose:
    found = known.get((key or "").strip().lower())
    if found is None:
        raise InvalidInput(UNKNOWN_PURPOSE.format(purpose=key, known=", ".join(sorted(known))))
    return found


# --- recording --------------------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None


def _aware(value: datetime | str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise InvalidInput(f"occurred_at {value!r} is not an ISO 8601 time") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def lock_ledger(unit: Unit) -> None:
    """Serialise ledger writes (PostgreSQL; SQLite transactions are already exclusive)."""
    if unit.session.get_bind().dialect.name == "postgresql":
        unit.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": CONSENT_LOCK_KEY})


def max_event_id(unit: Unit) -> int:
    return int(unit.session.scalar(select(func.max(ConsentEvent.id))) or 0)


#: One window (one sort, one pass) gives both the latest event and the last GPC signal: the
#: frame is the whole partition, so MAX sees every event; ROW_NUMBER ignores frames.
STATE_UPSERT = """
INSERT INTO consent_state (subject_hash, purpose, status, lawful_basis, source, jurisdiction,
                           occurred_at, event_id, gpc_at)
SELECT subject_hash, purpose, status, lawful_basis, source, jurisdiction, occurred_at, id, gpc_at
FROM (
  SELECT e.subject_hash, e.purpose, e.status, e.lawful_basis, e.source, e.jurisdiction,
         e.occurred_at, e.id,
         ROW_NUMBER() OVER w AS rn,
         MAX(CASE WHEN e.source = 'gpc' THEN e.occurred_at END) OVER w AS gpc_at
  FROM consent_events e WHERE e.id > :after
  WINDOW w AS (PARTITION BY e.subject_hash, e.purpose ORDER BY e.occurred_at DESC, e.id DESC
               ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
) t WHERE rn = 1
ON CONFLICT (subject_hash, purpose) DO UPDATE SET
  {assignments},
  gpc_at = CASE WHEN consent_state.gpc_at IS NULL OR excluded.gpc_at > consent_state.gpc_at
                THEN excluded.gpc_at ELSE consent_state.gpc_at END
"""
_NEWER = ("(excluded.occurred_at > consent_state.occurred_at OR (excluded.occurred_at = "
          "consent_state.occurred_at AND excluded.event_id > consent_state.event_id))")


def update_state(unit: Unit, *, after: int) -> None:
    """Bring ``consent_state`` up to date with the events whose id is above ``after``."""
    assignments = ",\n  ".join(
        f"{c} = CASE WHEN {_NEWER} THEN excluded.{c} ELSE consent_state.{c} END"
        for c in ("status", "lawful_basis", "source", "jurisdiction", "occurred_at",
                  "event_id"))
    unit.session.execute(text(STATE_UPSERT.format(assignments=assignments)), {"after": after})


def _check_event(known: Mapping[str, Purpose], data: Mapping[str, Any]) -> dict[str, Any]:
    allowed = {"subject", "purpose", "status", "lawful_basis", "source", "notice",
               "notice_version", "jurisdiction", "occurred_at", "evidence", "idempotency_key"}
    extra = sorted(set(data) - allowed)
    if extra:
        raise InvalidInput(f"unknown event field {extra[0]!r}")
    status = str(data.get("status") or "").strip().lower()
    if status not in STATUSES:
        raise InvalidInput(f"status must be {', '.join(STATUSES)}, not {status!r}")
    basis = str(data.get("lawful_basis") or "consent").strip().lower()
    if basis not in LAWFUL_BASES:
        raise InvalidInput(f"lawful_basis must be one of {', '.join(LAWFUL_BASES)}")
    source = str(data.get("source") or "api").strip().lower()
    if source not in SOURCES:
        raise InvalidInput(f"source must be one of {', '.join(SOURCES)}")
    event = {
        "subject": consent_keys.check_identifier(str(data.get("subject") or "")),
        "purpose": _purpose(known, str(data.get("purpose") or "")).key,
        "status": status, "lawful_basis": basis, "source": source,
        "occurred_at": _aware(data.get("occurred_at")),
        "occurred_given": data.get("occurred_at") is not None,
    }
    for name, limit in (("notice", 200), ("notice_version", 64), ("jurisdiction", 16),
                        ("idempotency_key", 200), ("evidence", MAX_STRING_LENGTH)):
        value = data.get(name)
        value = str(value).strip() if value is not None else None
        if value and len(value) > limit:
            raise InvalidInput(f"{name} is longer than {limit} characters")
        event[name] = value or None
    if event["jurisdiction"]:
        event["jurisdiction"] = event["jurisdiction"].upper()
    return event


def _event_key(subject_hash: str, e: Mapping[str, Any]) -> str:
    body = "|".join([subject_hash, e["purpose"], e["status"], e["lawful_basis"], e["source"],
                     e["occurred_at"].isoformat(), e.get("notice") or "",
                     e.get("notice_version") or ""])
    return "api:" + hashlib.sha256(body.encode("utf-8")).hexdigest()[:40]


def _comparable(row: Mapping[str, Any], *, with_time: bool) -> tuple[Any, ...]:
    return (row["subject_hash"], row["purpose"], row["status"], row["lawful_basis"],
            row["source"], row.get("notice"), row.get("notice_version"), row.get("jurisdiction"),
            _iso(row["occurred_at"]) if with_time else None, row.get("evidence"))


def record_events(unit: Unit, events: Sequence[Mapping[str, Any]], *, gpc: bool = False,
                  ) -> list[dict[str, Any]]:
    """Record events (and, when ``gpc``, a GPC signal for their subjects); each result has the
    event's receipt and ``created`` (False when its idempotency key was already recorded)."""
    unit.require(RECORD_CONSENT, "record consent")
    if not events:
        raise InvalidInput("give at least one event")
    if len(events) > MAX_EVENTS_PER_CALL:
        raise InvalidInput(f"at most {MAX_EVENTS_PER_CALL} events per call")
    known = purposes(unit)
    checked = [_check_event(known, e) for e in events]
    rows: list[dict[str, Any]] = []
    now = datetime.now(UTC)
    for e in checked:
        subject_hash = consent_keys.key_of(unit.settings, e["subject"])
        row = {k: v for k, v in e.items() if k != "subject"}
        row.update(subject_hash=subject_hash, recorded_at=now, recorded_by=unit.actor.label,
                   subject_encrypted=consent_keys.encrypt_identifier(unit.settings,
                                                                     e["subject"]))
        row["idempotency_key"] = e["idempotency_key"] or _event_key(subject_hash, row)
        rows.append(row)
    if gpc:
        rows += gpc_rows(unit, known, {r["subject_hash"]: r for r in rows}.values(), now)
    return _store(unit, rows)


def record_gpc(unit: Unit, subject: str, *, jurisdiction: str | None = None
               ) -> list[dict[str, Any]]:
    """Record a Global Privacy Control signal (``Sec-GPC: 1``) for a person."""
    unit.require(RECORD_CONSENT, "record consent")
    identifier = consent_keys.check_identifier(subject)
    base = {"subject_hash": consent_keys.key_of(unit.settings, identifier),
            "jurisdiction": jurisdiction.strip().upper() if jurisdiction else None,
            "subject_encrypted": consent_keys.encrypt_identifier(unit.settings, identifier)}
    return _store(unit, gpc_rows(unit, purposes(unit), [base], datetime.now(UTC)))


def gpc_rows(unit: Unit, known: Mapping[str, Purpose], subjects: Iterable[Mapping[str, Any]],
             now: datetime) -> list[dict[str, Any]]:
    """GPC events (one per covered purpose and day) for subjects given as event rows."""
    out = []
    for base in subjects:
        for p in known.values():
            if not p.gpc:
                continue
            day = now.date().isoformat()
            digest = hashlib.sha256(f"{base['subject_hash']}|{p.key}|{day}".encode()).hexdigest()
            out.append({"subject_hash": base["subject_hash"], "purpose": p.key,
                        "status": "denied", "lawful_basis": "notice_opt_out", "source": "gpc",
                        "notice": None, "notice_version": None,
                        "jurisdiction": base.get("jurisdiction"), "occurred_at": now,
                        "evidence": "Sec-GPC: 1", "idempotency_key": f"gpc:{digest[:40]}",
                        "recorded_at": now, "recorded_by": unit.actor.label,
                        "subject_encrypted": base.get("subject_encrypted")})
    return out


def _store(unit: Unit, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    lock_ledger(unit)
    keys = [r["idempotency_key"] for r in rows]
    existing = {e.idempotency_key: e for e in unit.session.scalars(
        select(ConsentEvent).where(ConsentEvent.idempotency_key.in_(keys))).all()}
    after = max_event_id(unit)
    results: list[tuple[ConsentEvent, bool]] = []
    seen: dict[str, ConsentEvent] = {}
    for row in rows:
        given = row.pop("occurred_given", True)
        key = row["idempotency_key"]
        old = existing.get(key) or seen.get(key)
        if old is not None:
            if (_comparable(event_fields(old), with_time=given)
                    != _comparable(row, with_time=given) and not key.startswith("gpc:")):
                raise Conflict(KEY_REUSED.format(key=key))
            results.append((old, False))
            continue
        event = ConsentEvent(**row)
        unit.session.add(event)
        seen[key] = event
        results.append((event, True))
    unit.session.flush()
    created = [e for e, new in results if new]
    if created:
        update_state(unit, after=after)
        unit.audit("consent.record", "consent_event", created[0].id,
                   after={"events": [{"id": e.id, "purpose": e.purpose, "status": e.status,
                                      "source": e.source} for e in created]})
    return [{**receipt_of(unit, e), "created": new} for e, new in results]


def event_fields(e: ConsentEvent) -> dict[str, Any]:
    return {"id": e.id, "subject_hash": e.subject_hash, "purpose": e.purpose,
            "status": e.status, "lawful_basis": e.lawful_basis, "source": e.source,
            "notice": e.notice, "notice_version": e.notice_version,
            "jurisdiction": e.jurisdiction, "occurred_at": e.occurred_at,
            "recorded_at": e.recorded_at, "evidence": e.evidence}


# --- consent strings --------------------------------------------------------------------------


def record_string(unit: Unit, subject: str, consent_string: str, *,
                  jurisdiction: str | None = None, occurred_at: datetime | str | None = None,
                  idempotency_key: str | None = None, gpc: bool = False
                  ) -> list[dict[str, Any]]:
    """Record the events a TC or GPP string implies for a subject (the string is the evidence)."""
    unit.require(RECORD_CONSENT, "record consent")
    known = purposes(unit)
    text_ = consent_string.strip()
    if len(text_) > MAX_STRING_LENGTH:
        raise ConsentStringError(f"consent string longer than {MAX_STRING_LENGTH} characters")
    mapped = events_from_string(text_, list(known.values()), jurisdiction=jurisdiction)
    if not mapped and not gpc:
        raise InvalidInput("the consent string says nothing about Steward's purposes")
    events = []
    for m in mapped:
        when = m.occurred_at or (_aware(occurred_at) if occurred_at else None)
        events.append({"subject": subject, "purpose": m.purpose, "status": m.status,
                       "lawful_basis": m.lawful_basis, "source": m.source,
                       "jurisdiction": m.jurisdiction, "occurred_at": when, "evidence": text_,
                       "idempotency_key": f"{idempotency_key}:{m.purpose}:{m.source}"
                       if idempotency_key else None})
    return record_events(unit, events, gpc=gpc)


# --- receipts ---------------------------------------------------------------------------------


def _sign(unit: Unit, fields: Mapping[str, Any]) -> str:
    message = canonical_json(dict(fields)).encode("utf-8")
    return hmac.new(unit.settings.secret_key.encode("utf-8"), message,
                    hashlib.sha256).hexdigest()


def receipt_of(unit: Unit, e: ConsentEvent) -> dict[str, Any]:
    """The receipt a person can be shown: what they chose, for what, when, under which notice."""
    fields = {"receipt": "steward.consent/1", "event_id": e.id, "subject": e.subject_hash,
              "purpose": e.purpose, "status": e.status, "lawful_basis": e.lawful_basis,
              "source": e.source, "notice": e.notice, "notice_version": e.notice_version,
              "jurisdiction": e.jurisdiction, "occurred_at": _iso(e.occurred_at),
              "recorded_at": _iso(e.recorded_at)}
    return {**fields, "signature": _sign(unit, fields)}


def receipt(unit: Unit, event_id: int) -> dict[str, Any]:
    unit.require(READ_CONSENT, "read consent receipts")
    event = unit.session.get(ConsentEvent, event_id)
    if event is None:
        raise NotFound(f"no consent event {event_id}")
    return receipt_of(unit, event)


def verify_receipt(unit: Unit, document: Mapping[str, Any]) -> bool:
    """True when a receipt's signature is Steward's over exactly these fields."""
    fields = {k: v for k, v in document.items() if k not in ("signature", "created")}
    return hmac.compare_digest(_sign(unit, fields), str(document.get("signature", "")))


# --- lookups ----------------------------------------------------------------------------------


def _state_of(row: Any) -> State | None:
    if row is None:
        return None
    return State(status=row.status, lawful_basis=row.lawful_basis, source=row.source,
                 jurisdiction=row.jurisdiction, gpc_on_record=row.gpc_at is not None)


def state_record(p: Purpose, row: Any, precedence: str,
                 jurisdiction: str | None = None) -> dict[str, Any]:
    """One purpose's state as answered by a lookup; ``row`` is a state row (or None)."""
    why = reason(p, _state_of(row), jurisdiction=jurisdiction,
                 precedence=precedence)  # type: ignore[arg-type]
    return {"purpose": p.key, "allowed": why == "allowed", "reason": why,
            "explanation": explain(why, p.key),
            "status": row.status if row else None,
            "lawful_basis": row.lawful_basis if row else None,
            "source": row.source if row else None,
            "jurisdiction": row.jurisdiction if row else None,
            "since": _iso(row.occurred_at) if row else None,
            "event_id": row.event_id if row else None,
            "gpc_at": _iso(row.gpc_at) if row else None}


_STATE_READ = (ConsentState.purpose, ConsentState.status, ConsentState.lawful_basis,
               ConsentState.source, ConsentState.jurisdiction, ConsentState.occurred_at,
               ConsentState.event_id, ConsentState.gpc_at)
_LOOKUP_SQL = ("SELECT purpose, status, lawful_basis, source, jurisdiction, occurred_at, event_id, "
               "gpc_at FROM consent_state WHERE subject_hash = :key")
# Plain SQL with typed time columns: the hot lookup skips building and caching an ORM statement.
_LOOKUP_ALL = text(_LOOKUP_SQL).columns(occurred_at=UTCDateTime(), gpc_at=UTCDateTime())
_LOOKUP_ONE = text(_LOOKUP_SQL + " AND purpose = :purpose").columns(
    occurred_at=UTCDateTime(), gpc_at=UTCDateTime())
# The same reads straight on the driver, outside a transaction (the API's quick lookup).
_READ_ALL = PlainQuery(_LOOKUP_ALL)
_READ_ONE = PlainQuery(_LOOKUP_ONE)


_SUBJECT_KEY = "consent:subject_key"


def _subject_hmac_key(runtime: Runtime) -> bytes:
    return runtime.cached(_SUBJECT_KEY, lambda: consent_keys.subject_key(runtime.settings))


def _cached_subject_key(runtime: Runtime, identifier: str) -> str:
    return hmac_subject(_subject_hmac_key(runtime), consent_keys.check_identifier(identifier))


def subject_key_of(unit: Unit, identifier: str) -> str:
    """The subject key of an identifier, the organisation's HMAC key read once per runtime
    (lookups key one identifier per request; the key file need not be read each time)."""
    if unit.runtime is None:
        return consent_keys.key_of(unit.settings, identifier)
    return _cached_subject_key(unit.runtime, identifier)


def _wanted(known: Mapping[str, Purpose], key: str,
            purpose: str | None) -> tuple[list[Purpose], dict[str, str]]:
    """The purposes a lookup answers for and its statement's parameters (the one-purpose
    statement's with ``purpose``, the all-purposes one's without)."""
    if purpose:
        one = _purpose(known, purpose)
        return [one], {"key": key, "purpose": one.key}
    return list(known.values()), {"key": key}


def _answer(key: str, wanted: Sequence[Purpose], found: Iterable[Any], precedence: str,
            jurisdiction: str | None) -> dict[str, Any]:
    """A lookup's answer from the state rows found (those of other purposes are ignored)."""
    rows = {r.purpose: r for r in found}
    return {"subject": key, "gpc_precedence": precedence,
            "purposes": [state_record(p, rows.get(p.key), precedence, jurisdiction)
                         for p in wanted]}


def lookup(unit: Unit, subject: str, *, purpose: str | None = None,
           jurisdiction: str | None = None) -> dict[str, Any]:
    """The current state of a person for one purpose or all: one indexed read of plain rows
    (no ORM statement or objects), purposes and the subject key cached per runtime."""
    unit.require(READ_CONSENT, "read consent")
    key = subject_key_of(unit, subject)
    wanted, params = _wanted(purposes(unit), key, purpose)
    found = unit.session.connection().execute(_LOOKUP_ONE if purpose else _LOOKUP_ALL, params)
    return _answer(key, wanted, found, unit.settings.consent_gpc_precedence, jurisdiction)


def quick_lookup(runtime: Runtime, actor: Actor, subject: str, *, purpose: str | None = None,
                 jurisdiction: str | None = None) -> dict[str, Any]:
    """:func:`lookup` without a unit of work, for the API's hot path: the same answer and
    errors, from one statement outside any transaction (no Session, no BEGIN or COMMIT),
    which cut most of the server's CPU per request. Reads only, so nothing is audited (as
    with :func:`lookup`); the purposes come from the runtime's cache (a unit of work loads
    them when they are not there)."""
    require(actor, READ_CONSENT, "read consent")
    known = _purposes_of(runtime, actor)
    key = _cached_subject_key(runtime, subject)
    wanted, params = _wanted(known, key, purpose)
    found = runtime.db.read(_READ_ONE if purpose else _READ_ALL, params)
    return _answer(key, wanted, found, runtime.settings.consent_gpc_precedence, jurisdiction)


async def quick_lookup_on_loop(runtime: Runtime, actor: Actor, subject: str, *,
                               purpose: str | None = None,
                               jurisdiction: str | None = None) -> dict[str, Any]:
    """:func:`quick_lookup` for a caller on an event loop (the API's lookup), with the same
    answer and errors. On PostgreSQL the statement (the same SQL) runs on the loop with
    psycopg's async driver, so a request costs no worker thread: the hop cost more CPU than
    the read itself. On SQLite (no async driver here) the whole lookup runs in a worker
    thread. Purposes or the subject key not yet cached (once a minute, once per process) are
    loaded in a worker thread first."""
    if not runtime.db.reads_on_loop:
        return await anyio.to_thread.run_sync(partial(
            quick_lookup, runtime, actor, subject, purpose=purpose, jurisdiction=jurisdiction))
    require(actor, READ_CONSENT, "read consent")
    known = _cached_purposes(runtime)
    if known is None:
        known = await anyio.to_thread.run_sync(_purposes_of, runtime, actor)
    if runtime.peek(_SUBJECT_KEY) is None:
        await anyio.to_thread.run_sync(_subject_hmac_key, runtime)
    key = _cached_subject_key(runtime, subject)
    wanted, params = _wanted(known, key, purpose)
    found = await runtime.db.read_on_loop(_READ_ONE if purpose else _READ_ALL, params)
    return _answer(key, wanted, found, runtime.settings.consent_gpc_precedence, jurisdiction)


def check(unit: Unit, subject: str, *, system_id: int,
          jurisdiction: str | None = None) -> dict[str, Any]:
    """May this person be processed by this system? Only if each purpose it relies on allows."""
    unit.require(READ_CONSENT, "check consent")
    system = unit.session.get(AISystem, system_id)
    if system is None:
        raise NotFound(f"no AI system with id {system_id}")
    known = purposes(unit)
    wanted = [_purpose(known, p) for p in system.consent_purposes]
    key = subject_key_of(unit, subject)
    rows = {r.purpose: r for r in unit.session.execute(
        select(*_STATE_READ).where(ConsentState.subject_hash == key,
                                   ConsentState.purpose.in_([p.key for p in wanted]))).all()}
    precedence = unit.settings.consent_gpc_precedence
    per = [state_record(p, rows.get(p.key), precedence, jurisdiction) for p in wanted]
    decided = worst([r["reason"] for r in per])
    why = ("the system relies on no consent purpose" if not wanted else
           "; ".join(r["explanation"] for r in per if not r["allowed"]) or
           "every purpose the system relies on allows it")
    return {"subject": key, "system_id": system.id, "system": system.name,
            "allowed": decided == "allowed", "reason": decided, "explanation": why,
            "purposes": per}
