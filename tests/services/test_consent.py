"""The consent ledger: idempotency, latest wins, GPC precedence, strings, checks, receipts."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime

import pytest

from steward.config import load_settings
from steward.engines.consent import encode_tc_string, make_gpp_string
from steward.engines.consent.subjects import subject_hash
from steward.engines.consent.tcf import TCString
from steward.errors import Conflict, Forbidden, InvalidInput
from steward.services import consent, consent_keys, systems, users
from steward.services.runtime import Actor, Runtime

WHEN = datetime(2025, 5, 1, 12, tzinfo=UTC)


def ev(subject: str, purpose: str, status: str, at: str, **extra: object) -> dict:
    return {"subject": subject, "purpose": purpose, "status": status, "occurred_at": at, **extra}


def test_same_idempotency_key_records_once(runtime: Runtime, operator: Actor) -> None:
    event = ev("Ann@Example.com", "email_marketing", "granted", "2025-01-01T10:00:00Z",
               idempotency_key="form-1", notice="privacy", notice_version="v3")
    with runtime.unit(operator) as unit:
        first = consent.record_events(unit, [event])
    with runtime.unit(operator) as unit:
        again = consent.record_events(unit, [{**event, "subject": " ann@example.com "}])
        assert consent.lookup(unit, "ann@example.com")["subject"] == first[0]["subject"]
    assert first[0]["created"] and not again[0]["created"]
    assert again[0]["event_id"] == first[0]["event_id"]
    with runtime.unit(operator) as unit, pytest.raises(Conflict, match="already used"):
        consent.record_events(unit, [{**event, "status": "denied"}])


def test_latest_event_wins_whatever_the_arrival_order(runtime: Runtime, operator: Actor) -> None:
    with runtime.unit(operator) as unit:
        consent.record_events(unit, [ev("a@x", "email_marketing", "granted", "2025-03-01T00:00Z")])
        consent.record_events(unit, [ev("a@x", "email_marketing", "withdrawn",
                                        "2025-04-01T00:00Z")])
        consent.record_events(unit, [ev("a@x", "email_marketing", "granted",  # late arrival
                                        "2025-02-01T00:00Z")])
        state = consent.lookup(unit, "a@x", purpose="email_marketing")["purposes"][0]
    assert (state["status"], state["reason"], state["allowed"]) == ("withdrawn", "withdrawn",
                                                                    False)


@pytest.mark.parametrize(("precedence", "allowed"), [("latest", True), ("gpc", False)])
def test_gpc_then_explicit_opt_in(settings, precedence, allowed) -> None:  # type: ignore[no-untyped-def]
    rt = Runtime(load_settings(**{**settings.model_dump(), "consent_gpc_precedence": precedence}))
    op = Actor.operator("t")
    try:
        with rt.unit(op) as unit:
            consent.record_gpc(unit, "gpc@x", jurisdiction="US-CA")
            state = consent.lookup(unit, "gpc@x", purpose="targeted_advertising")["purposes"][0]
            assert (state["reason"], state["source"]) == ("gpc", "gpc")
            consent.record_events(unit, [ev("gpc@x", "targeted_advertising", "granted",
                                            datetime.now(UTC).isoformat())])
            after = consent.lookup(unit, "gpc@x", purpose="targeted_advertising")["purposes"][0]
            email = consent.lookup(unit, "gpc@x", purpose="email_marketing")["purposes"][0]
        assert after["allowed"] is allowed
        assert email["source"] is None  # GPC covers sale, sharing and targeted ads only
    finally:
        rt.close()


def test_tc_and_gpp_strings_map_to_purposes(runtime: Runtime, operator: Actor) -> None:
    tc = TCString(created=WHEN, last_updated=WHEN, cmp_id=300, cmp_version=1, consent_screen=1,
                  consent_language="EN", vendor_list_version=100,
                  purpose_consents=frozenset({1, 3, 4}))
    gpp = make_gpp_string({"usnat": {"SaleOptOut": 1, "TargetedAdvertisingOptOut": 2}})
    with runtime.unit(operator) as unit:
        receipts = consent.record_string(unit, "eu@x", encode_tc_string(tc),
                                         idempotency_key="cmp-1")
        again = consent.record_string(unit, "eu@x", encode_tc_string(tc), idempotency_key="cmp-1")
        consent.record_string(unit, "us@x", _encode(gpp))
        eu = {p["purpose"]: p for p in consent.lookup(unit, "eu@x")["purposes"]}
        us = {p["purpose"]: p for p in consent.lookup(unit, "us@x")["purposes"]}
    assert all(r["created"] for r in receipts) and not any(r["created"] for r in again)
    assert eu["personalised_advertising"]["allowed"] and eu["personalised_advertising"]["since"] \
        == "2025-05-01T12:00:00Z"
    assert eu["personalised_content"]["reason"] == "denied"
    assert us["sale_of_data"]["reason"] == "denied" and us["sale_of_data"]["jurisdiction"] == "US"
    assert us["targeted_advertising"]["lawful_basis"] == "notice_opt_out"
    with runtime.unit(operator) as unit, pytest.raises(InvalidInput, match="TC string"):
        consent.record_string(unit, "eu@x", "CO!!bad")


def _encode(gpp) -> str:  # type: ignore[no-untyped-def]
    from steward.engines.consent import encode_gpp_string

    return encode_gpp_string(gpp)


def test_check_by_the_systems_purposes(runtime: Runtime, operator: Actor) -> None:
    with runtime.unit(operator) as unit:
        users.add_user(unit, username="dan", roles="data_science", password="p" * 12)
        sid = systems.create_system(unit, {
            "name": "Recommender", "purpose": "p", "owner": "dan", "ai_kinds": ["recommender"],
            "consent_purposes": ["personalised_content", "measurement"]})["id"]
        consent.record_events(unit, [
            ev("c@x", "personalised_content", "granted", "2025-01-01T00:00Z"),
            ev("c@x", "measurement", "granted", "2025-01-01T00:00Z"),
            ev("d@x", "personalised_content", "granted", "2025-01-01T00:00Z")])
        yes = consent.check(unit, "c@x", system_id=sid)
        no = consent.check(unit, "d@x", system_id=sid)
    assert yes["allowed"] and yes["reason"] == "allowed"
    assert not no["allowed"] and no["reason"] == "no_record"
    assert "no consent on record for measurement" in no["explanation"]


def test_receipts_verify_and_the_audit_log_never_names_the_subject(
        runtime: Runtime, operator: Actor) -> None:
    from steward.services import audit_log

    with runtime.unit(operator) as unit:
        receipt = consent.record_events(unit, [ev("r@x", "measurement", "granted",
                                                  "2025-01-01T00:00Z")])[0]
        assert consent.verify_receipt(unit, receipt)
        assert not consent.verify_receipt(unit, {**receipt, "status": "denied"})
        assert consent.receipt(unit, receipt["event_id"])["signature"] == receipt["signature"]
        entries = list(audit_log.export(unit))
    text = str(entries)
    assert "consent.record" in text
    assert receipt["subject"] not in text and "r@x" not in text


def test_subject_key_file_is_private_and_stable(settings) -> None:  # type: ignore[no-untyped-def]
    key = consent_keys.subject_key(settings)
    path = settings.data_dir / "keys" / "subject.key"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert consent_keys.subject_key(settings) == key
    assert consent_keys.key_of(settings, " A@X ") == subject_hash(key, "a@x")
    explicit = load_settings(**{**settings.model_dump(), "subject_key": "s" * 40})
    assert consent_keys.subject_key(explicit) == b"s" * 40


def test_kept_identifiers_are_encrypted(settings) -> None:  # type: ignore[no-untyped-def]
    keep = load_settings(**{**settings.model_dump(), "consent_keep_subjects": True})
    token = consent_keys.encrypt_identifier(keep, "secret@x")
    assert token and "secret" not in token
    assert consent_keys.decrypt_identifier(keep, token) == "secret@x"
    assert consent_keys.encrypt_identifier(settings, "secret@x") is None


def test_bad_events_and_roles(runtime: Runtime, operator: Actor) -> None:
    with runtime.unit(operator) as unit:
        for bad, message in ((ev("a", "nope", "granted", "2025-01-01"), "unknown consent purpose"),
                             (ev("a", "measurement", "maybe", "2025-01-01"), "status must be"),
                             (ev("", "measurement", "granted", "2025-01-01"), "empty"),
                             (ev("a", "measurement", "granted", "yesterday"), "ISO 8601")):
            with pytest.raises(InvalidInput, match=message):
                consent.record_events(unit, [bad])
        users.add_user(unit, username="aud", roles="auditor", password="p" * 12, external=True)
    auditor = Actor(name="aud", roles=frozenset({"auditor"}), user_id=1)  # type: ignore[arg-type]
    with runtime.unit(auditor) as unit, pytest.raises(Forbidden):
        consent.record_events(unit, [ev("a", "measurement", "granted", "2025-01-01")])


def test_quick_lookup_answers_as_lookup_does(runtime: Runtime, operator: Actor) -> None:
    """The API's lookup (no unit of work, one read outside a transaction) gives the same
    answers and errors as :func:`consent.lookup`, GPC and UTC timestamps included."""
    with runtime.unit(operator) as unit:
        consent.record_events(unit, [
            ev("q@x", "email_marketing", "granted", "2025-01-01T10:00:00+02:00",
               jurisdiction="EU"),
            ev("q@x", "targeted_advertising", "granted", "2025-01-01T00:00Z",
               jurisdiction="US-CA")])
        consent.record_gpc(unit, "q@x", jurisdiction="US-CA")
    for query in ({}, {"purpose": "email_marketing"}, {"purpose": "targeted_advertising"},
                  {"purpose": "measurement", "jurisdiction": "US-CA"}, {"jurisdiction": "EU"}):
        with runtime.unit(operator) as unit:
            expected = consent.lookup(unit, " Q@x ", **query)
        assert consent.quick_lookup(runtime, operator, " Q@x ", **query) == expected
    email = consent.quick_lookup(runtime, operator, "q@x", purpose="email_marketing")
    assert email["purposes"][0]["since"] == "2025-01-01T08:00:00Z"
    gpc = consent.quick_lookup(runtime, operator, "q@x", purpose="targeted_advertising")
    assert gpc["purposes"][0]["reason"] == "gpc" and gpc["purposes"][0]["gpc_at"]
    with pytest.raises(InvalidInput, match="unknown consent purpose"):
        consent.quick_lookup(runtime, operator, "q@x", purpose="nope")
    with pytest.raises(InvalidInput, match="empty"):
        consent.quick_lookup(runtime, operator, "  ")
    nobody = Actor(name="nobody", roles=frozenset())
    with pytest.raises(Forbidden, match="nobody may not read consent"):
        consent.quick_lookup(runtime, nobody, "q@x")


def test_quick_lookup_on_loop_answers_as_lookup_does(runtime: Runtime, operator: Actor) -> None:
    """The API's lookup on an event loop (PostgreSQL: the async driver on the loop; SQLite: a
    worker thread) gives the same answers and errors as :func:`consent.lookup`, the purposes
    and the subject key loaded when not yet cached."""
    import asyncio

    with runtime.unit(operator) as unit:
        consent.record_events(unit, [
            ev("q@x", "email_marketing", "granted", "2025-01-01T10:00:00+02:00",
               jurisdiction="EU")])
        consent.record_gpc(unit, "q@x", jurisdiction="US-CA")
    runtime._cache.clear()  # nothing cached: purposes and key loaded in a worker thread

    def on_loop(subject: str, **query: str) -> dict:
        return asyncio.run(consent.quick_lookup_on_loop(runtime, operator, subject, **query))

    for query in ({}, {"purpose": "email_marketing"}, {"purpose": "targeted_advertising"},
                  {"purpose": "measurement", "jurisdiction": "US-CA"}, {"jurisdiction": "EU"}):
        with runtime.unit(operator) as unit:
            expected = consent.lookup(unit, " Q@x ", **query)
        assert on_loop(" Q@x ", **query) == expected  # a new event loop each time
    assert on_loop("q@x", purpose="email_marketing")["purposes"][0]["since"] == (
        "2025-01-01T08:00:00Z")
    with pytest.raises(InvalidInput, match="unknown consent purpose"):
        on_loop("q@x", purpose="nope")
    with pytest.raises(InvalidInput, match="empty"):
        on_loop("  ")
    with pytest.raises(Forbidden, match="nobody may not read consent"):
        asyncio.run(consent.quick_lookup_on_loop(runtime, Actor(name="nobody", roles=frozenset()),
                                                 "q@x"))
