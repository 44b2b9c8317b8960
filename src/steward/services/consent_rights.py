"""People's rights over the consent ledger: access, erasure, and opt-outs in bulk.

- **Access** (GDPR Art. 15, CCPA right to know): everything the ledger holds on a subject — the
  events with their evidence and receipts, the current state, the identifier if it is kept.
- **Erasure** (GDPR Art. 17, CCPA right to delete): one audited transaction deletes the subject's
  events and state and leaves an erasure record (the subject key, the counts, who and when):
  what proves the erasure and lets a later import of the same person be recognised. On
  PostgreSQL the events' append-only trigger lets the delete through only inside this path.
  The audit log names the erasure record, never the subject, so it needs no rewriting.
- **Opt-outs in bulk**: a file of identifiers refused or withdrawn for some purposes (or all),
  imported like any file of events.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, text

from steward.core.roles import Role, write_access
from steward.engines.consent.audience import JURISDICTION_CODE
from steward.errors import InvalidInput
from steward.services import consent, consent_ingest, consent_keys
from steward.services.runtime import Unit
from steward.storage.orm import ConsentErasure, ConsentEvent, ConsentState

ERASE_SUBJECTS = write_access(Role.PRIVACY)
EXPORT_SUBJECTS = write_access(Role.PRIVACY, Role.LEGAL)


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


def export_subject(unit: Unit, subject: str) -> dict[str, Any]:
    """Everything held on a person (a subject access request)."""
    unit.require(EXPORT_SUBJECTS, "export a person's consent records")
    key = consent_keys.key_of(unit.settings, subject)
    events = unit.session.scalars(select(ConsentEvent).where(ConsentEvent.subject_hash == key)
                                  .order_by(ConsentEvent.occurred_at, ConsentEvent.id)).all()
    states = unit.session.scalars(select(ConsentState).where(ConsentState.subject_hash == key)
                                  .order_by(ConsentState.purpose)).all()
    erasures = unit.session.scalars(select(ConsentErasure).where(
        ConsentErasure.subject_hash == key)).all()
    kept = next((e.subject_encrypted for e in events if e.subject_encrypted), None)
    record = {
        "subject": key,
        "identifier_kept": kept is not None,
        "identifier": consent_keys.decrypt_identifier(unit.settings, kept) if kept else None,
        "events": [{**{k: (_iso(v) if isinstance(v, datetime) else v)
                       for k, v in consent.event_fields(e).items()},
                    "receipt": consent.receipt_of(unit, e)} for e in events],
        "state": consent.lookup(unit, subject)["purposes"] if states else [],
        "erasures": [{"erased_at": _iso(x.erased_at), "events_deleted": x.events_deleted}
                     for x in erasures],
        "exported_at": _iso(datetime.now(UTC)),
    }
    unit.audit("consent.access", "consent_ledger", "subject-access",
               after={"events": len(events), "states": len(states)})
    return record


def erase_subject(unit: Unit, subject: str, *, reason: str,
                  request_ref: str | None = None) -> dict[str, Any]:
    """Erase a person from the ledger; keep only the erasure record. Idempotent in effect."""
    unit.require(ERASE_SUBJECTS, "erase a person's consent records")
    if not reason.strip():
        raise InvalidInput("an erasure needs a reason (e.g. the request it answers)")
    key = consent_keys.key_of(unit.settings, subject)
    consent.lock_ledger(unit)
    if unit.session.get_bind().dialect.name == "postgresql":
        unit.session.execute(text("SET LOCAL steward.consent_erasure = 'on'"))
    events = unit.session.execute(delete(ConsentEvent).where(ConsentEvent.subject_hash == key))
    states = unit.session.execute(delete(ConsentState).where(ConsentState.subject_hash == key))
    if unit.session.get_bind().dialect.name == "postgresql":
        unit.session.execute(text("SET LOCAL steward.consent_erasure = 'off'"))
    proof = ConsentErasure(subject_hash=key, events_deleted=events.rowcount or 0,
                           states_deleted=states.rowcount or 0, reason=reason.strip()[:2000],
                           request_ref=(request_ref or "").strip()[:200] or None,
                           erased_by=unit.actor.label)
    unit.session.add(proof)
    unit.session.flush()
    record = {"erasure_id": proof.id, "events_deleted": proof.events_deleted,
              "states_deleted": proof.states_deleted, "reason": proof.reason,
              "request_ref": proof.request_ref, "erased_at": _iso(proof.erased_at)}
    unit.audit("consent.erase", "consent_erasure", proof.id, after=record)
    folder = Path(unit.settings.data_dir) / "consent"
    unit.after_commit(lambda: _drop_snapshot(folder))
    return {**record, "subject": key}


def _drop_snapshot(folder: Path) -> None:
    for name in ("state.parquet", "state.json"):
        (folder / name).unlink(missing_ok=True)


def bulk_opt_out(unit: Unit, path: str | Path, *, purposes: Sequence[str] = (),
                 status: str = "withdrawn", subject_column: str = "subject",
                 jurisdiction: str | None = None,
                 occurred_at: str | datetime | None = None) -> dict[str, Any]:
    """Record a refusal (``withdrawn`` or ``denied``) for everyone in a file, for the purposes
    given (all purposes when none). The file is CSV/Parquet with a subject column, or a text
    file with one identifier per line. ``occurred_at`` dates the opt-outs (default now): the
    same file opted out again at the same time adds nothing."""
    unit.require(consent.RECORD_CONSENT, "record consent")
    if status not in ("withdrawn", "denied"):
        raise InvalidInput("an opt-out is withdrawn or denied")
    if jurisdiction and not (len(jurisdiction) <= 16 and JURISDICTION_CODE.match(
            jurisdiction.strip().upper())):
        raise InvalidInput(f"jurisdiction {jurisdiction!r} must look like EU, US or US-CA")
    known = consent.purposes(unit)
    wanted = [consent._purpose(known, p).key for p in purposes] or list(known)
    source = Path(path)
    if not source.is_file():
        raise InvalidInput(f"{source}: no such file")
    import duckdb

    name = source.name.lower()
    literal = "'" + str(source).replace("'", "''") + "'"
    if name.endswith(".parquet"):
        reader = f"read_parquet({literal})"
    elif name.endswith(".csv"):
        reader = f"read_csv({literal}, header = true, all_varchar = true)"
    else:
        reader = (f"read_csv({literal}, header = false, columns = {{'subject': 'VARCHAR'}}, "
                  f"delim = '\\t', quote = '')")
        subject_column = "subject"
    now = consent._aware(occurred_at).astimezone(UTC).isoformat()
    values = ", ".join(f"('{p}')" for p in wanted)
    con = duckdb.connect()
    try:
        try:
            columns = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()]
        except duckdb.Error as exc:
            raise InvalidInput(f"{source}: cannot read: {str(exc).splitlines()[0]}") from None
        if subject_column not in columns:
            raise InvalidInput(f"{source}: no {subject_column!r} column "
                               f"(columns: {', '.join(columns[:20])})")
        with tempfile.TemporaryDirectory(prefix="steward-optout-") as folder:
            target = Path(folder) / "opt-outs.parquet"
            where = f"'{jurisdiction.strip().upper()}'" if jurisdiction else "NULL"
            column = '"' + subject_column.replace('"', '""') + '"'
            try:
                con.execute(
                    f"COPY (SELECT trim(CAST({column} AS VARCHAR)) AS subject, "
                    f"v.purpose, '{status}' AS status, 'consent' AS lawful_basis, "
                    f"'import' AS source, {where} AS jurisdiction, '{now}' AS occurred_at, "
                    f"'bulk opt-out: {source.name.replace(chr(39), '')}' AS evidence "
                    f"FROM {reader} CROSS JOIN (VALUES {values}) v(purpose) "
                    f"WHERE nullif(trim(CAST({column} AS VARCHAR)), '') "
                    f"IS NOT NULL) TO '{target}' (FORMAT parquet)")
            except duckdb.Error as exc:
                raise InvalidInput(f"{source}: cannot read: {str(exc).splitlines()[0]}") from None
            result = consent_ingest.ingest_events_file(unit, target)
    finally:
        con.close()
    return {**result, "file": source.name, "purposes": wanted, "status": status}
