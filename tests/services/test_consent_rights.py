"""Access, erasure (only the proof stays), bulk opt-outs, file ingest errors and idempotency."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from steward.config import load_settings
from steward.errors import InvalidInput
from steward.services import consent, consent_ingest, consent_keys, consent_rights
from steward.services.runtime import Actor, Runtime


def _dump(unit) -> str:  # type: ignore[no-untyped-def]
    """Every row of every table, as text."""
    tables = [r[0] for r in unit.session.execute(text(
        "SELECT name FROM sqlite_master WHERE type = 'table'" if unit.session.get_bind()
        .dialect.name == "sqlite" else
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).all()]
    return "\n".join(str(unit.session.execute(text(f'SELECT * FROM "{t}"')).all())
                     for t in tables)


def test_erasure_leaves_only_the_proof(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    keep = load_settings(**{**settings.model_dump(), "consent_keep_subjects": True})
    rt, op = Runtime(keep), Actor.operator("t")
    try:
        with rt.unit(op) as unit:
            consent.record_events(unit, [
                {"subject": "Erin@X.com", "purpose": "email_marketing", "status": "granted",
                 "occurred_at": "2025-01-01T00:00:00Z", "idempotency_key": "erin-1"},
                {"subject": "erin@x.com", "purpose": "measurement", "status": "denied"},
                {"subject": "other@x.com", "purpose": "measurement", "status": "granted"}])
            consent.record_gpc(unit, "erin@x.com")
            exported = consent_rights.export_subject(unit, "erin@x.com")
            key = consent_keys.key_of(keep, "erin@x.com")
            assert key in _dump(unit)
        assert exported["identifier"] == "Erin@X.com" and len(exported["events"]) == 5
        assert all(e["receipt"]["signature"] for e in exported["events"])
        with rt.unit(op) as unit:
            proof = consent_rights.erase_subject(unit, "ERIN@x.com", reason="DSR-42")
        assert proof["events_deleted"] == 5 and proof["states_deleted"] == 5
        with rt.unit(op) as unit:
            dump = _dump(unit)
            assert dump.count(key) == 1  # the erasure record alone
            assert "erin-1" not in dump and "Erin@X.com" not in dump.lower()
            assert consent.lookup(unit, "other@x.com", purpose="measurement")["purposes"][0][
                "allowed"]
            assert consent_rights.export_subject(unit, "erin@x.com")["erasures"][0][
                "events_deleted"] == 5
    finally:
        rt.close()


@pytest.mark.postgres
def test_postgres_refuses_deleting_events_outside_erasure(runtime: Runtime, operator: Actor
                                                           ) -> None:
    from sqlalchemy.exc import DBAPIError

    if runtime.db.dialect != "postgresql":
        pytest.skip("PostgreSQL only")
    with runtime.unit(operator) as unit:
        consent.record_events(unit, [{"subject": "a", "purpose": "measurement",
                                      "status": "granted"}])
    for statement in ("UPDATE consent_events SET status = 'denied'", "DELETE FROM consent_events",
                      "TRUNCATE consent_events"):
        with pytest.raises(DBAPIError, match="append-only"), runtime.db.engine.begin() as conn:
            conn.execute(text(statement))


def test_bulk_opt_out(runtime: Runtime, operator: Actor, tmp_path: Path) -> None:
    listing = tmp_path / "unsubscribes.txt"
    listing.write_text("a@x\nb@x\n\n")
    with runtime.unit(operator) as unit:
        consent.record_events(unit, [{"subject": "a@x", "purpose": "email_marketing",
                                      "status": "granted", "occurred_at": "2025-01-01T00:00Z"}])
        result = consent_rights.bulk_opt_out(unit, listing, purposes=["email_marketing"])
        states = [consent.lookup(unit, s, purpose="email_marketing")["purposes"][0]["reason"]
                  for s in ("a@x", "b@x")]
    assert result["added"] == 2 and states == ["withdrawn", "withdrawn"]


def test_file_ingest_is_idempotent_and_names_bad_rows(runtime: Runtime, operator: Actor,
                                                      tmp_path: Path) -> None:
    good = tmp_path / "events.jsonl"
    good.write_text('{"subject": "j@x", "purpose": "measurement", "status": "granted", '
                    '"occurred_at": "2025-01-01T00:00:00+02:00"}\n')
    bad = tmp_path / "bad.csv"
    bad.write_text("subject,purpose,status\na@x,measurement,granted\nb@x,measurement,maybe\n")
    nocol = tmp_path / "nocol.csv"
    nocol.write_text("email,purpose,status\na@x,measurement,granted\n")
    with runtime.unit(operator) as unit:
        first = consent_ingest.ingest_file(unit, good)
        second = consent_ingest.ingest_file(unit, good)
        since = consent.lookup(unit, "j@x", purpose="measurement")["purposes"][0]["since"]
        with pytest.raises(InvalidInput, match=r"bad.csv: row 3: status 'maybe' is not"):
            consent_ingest.ingest_file(unit, bad)
        with pytest.raises(InvalidInput, match=r"no 'subject' column \(columns: email"):
            consent_ingest.ingest_file(unit, nocol)
    assert (first["added"], second["added"], second["already_recorded"]) == (1, 0, 1)
    assert since == "2024-12-31T22:00:00Z"


def test_strings_file(runtime: Runtime, operator: Actor, tmp_path: Path) -> None:
    tc = "CO5dPi4O5dPx2B7DvCENA2CgAAAAAAAAAAAAGewAAM8gAAAA.YAAAAAAAAAAA"
    strings = tmp_path / "strings.csv"
    strings.write_text(f"subject,consent_string\ns1@x,{tc}\n")
    broken = tmp_path / "broken.csv"
    broken.write_text("subject,consent_string\ns1@x,CO!!bad\n")
    with runtime.unit(operator) as unit:
        result = consent_ingest.ingest_file(unit, strings, kind="strings")
        again = consent_ingest.ingest_file(unit, strings, kind="strings")
        with pytest.raises(InvalidInput, match=r"broken.csv: row 2: TC string: bad base64url"):
            consent_ingest.ingest_file(unit, broken, kind="strings")
    assert result["added"] > 0 and again["added"] == 0
