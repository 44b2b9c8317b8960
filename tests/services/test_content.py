"""Content services: scan, submit, the review queue, receipts, C2PA signing and the register."""

import struct
import zlib

import pytest

from steward.core.roles import parse_roles
from steward.errors import Conflict, Forbidden, InvalidInput, NotFound
from steward.services import audit_log, content, content_credentials, users
from steward.services.runtime import Actor

FOOTER = ("\nAdvertisement. Unsubscribe: https://northwind.example/u\n"
          "Northwind Outfitters, 100 Harbor Street, Portland, OR 97201")
FLAGGED = "Our insoles are clinically proven to ease long hikes." + FOOTER


def png() -> bytes:
    rows = b"".join(b"\x00" + bytes(v for x in range(8) for v in (x * 30, y * 30, 90))
                    for y in range(8))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def actor(name: str, roles: str, runtime, make_person) -> Actor:  # type: ignore[no-untyped-def]
    make_person(name, roles)
    with runtime.unit(Actor.operator("t")) as unit:
        user = users.get_user(unit, name)
    return Actor(name=name, roles=frozenset(parse_roles(roles)), user_id=user.id, via="web")


def test_scan_stores_nothing(runtime, make_person) -> None:  # type: ignore[no-untyped-def]
    maya = actor("maya", "marketing", runtime, make_person)
    with runtime.unit(maya) as unit:
        result = content.scan(unit, FLAGGED, channel="email")
        assert result["verdict"] == "review"
        assert result["sha256"] == content.content_hash(FLAGGED)
        assert content.list_items(unit) == []
    with runtime.unit(maya) as unit, pytest.raises(InvalidInput):
        content.scan(unit, "x", channel="carrier-pigeon")


def test_review_queue_approval_and_receipt(runtime, make_person) -> None:  # type: ignore[no-untyped-def]
    maya = actor("maya", "marketing", runtime, make_person)
    leo = actor("leo", "legal", runtime, make_person)
    with runtime.unit(maya) as unit:
        item = content.submit(unit, FLAGGED, channel="email", campaign="spring")
    assert item["status"] == "pending_review" and "receipt" not in item
    with runtime.unit(maya) as unit, pytest.raises(NotFound):
        content.receipt(unit, item["sha256"])
    with runtime.unit(maya) as unit, pytest.raises(Forbidden):
        content.decide(unit, item["id"], decision="approve")  # own item (and not an approver)
    with runtime.unit(leo) as unit, pytest.raises(InvalidInput):
        content.decide(unit, item["id"], decision="reject")  # a rejection needs a comment
    with runtime.unit(leo) as unit:
        queue = content.list_items(unit, status="pending_review")
        assert [i["id"] for i in queue] == [item["id"]]
        decided = content.decide(unit, item["id"], decision="approve", comment="Evidence on file")
    assert decided["status"] == "approved" and decided["reviewer"] == "leo"
    with runtime.unit(leo) as unit, pytest.raises(Conflict):
        content.decide(unit, item["id"], decision="approve")
    with runtime.unit(maya) as unit:
        receipt = content.receipt(unit, item["sha256"])
    assert receipt["reviewer"] == "leo" and receipt["policy_version"]
    assert content.verify_receipt(runtime.settings, receipt)
    assert not content.verify_receipt(runtime.settings, {**receipt, "reviewer": "mallory"})
    with runtime.unit(Actor.operator("t")) as unit:
        entries, _ = audit_log.recent(unit, limit=20)
        assert {"content.submit", "content.approve"} <= {e["action"] for e in entries}
        assert audit_log.verify(unit).ok


def test_submitter_cannot_approve_even_as_an_approver(runtime, make_person) -> None:  # type: ignore[no-untyped-def]
    carlos = actor("carlos", "committee,marketing", runtime, make_person)
    with runtime.unit(carlos) as unit:
        item = content.submit(unit, FLAGGED, channel="email")
    with runtime.unit(carlos) as unit, pytest.raises(Forbidden):
        content.decide(unit, item["id"], decision="approve")


def test_passed_content_gets_a_receipt_and_blocked_does_not(runtime, make_person) -> None:  # type: ignore[no-untyped-def]
    maya = actor("maya", "marketing", runtime, make_person)
    with runtime.unit(maya) as unit:
        passed = content.submit(unit, "Our boots are 20% off." + FOOTER, channel="email")
        blocked = content.submit(unit, "Card 4111 1111 1111 1111", channel="sms")
        assert passed["status"] == "passed" and blocked["status"] == "blocked"
        assert content.receipt(unit, passed["sha256"])["status"] == "passed"
        with pytest.raises(NotFound):
            content.receipt(unit, blocked["sha256"])
    auditor = actor("audrey", "auditor", runtime, make_person)
    with runtime.unit(auditor) as unit, pytest.raises(Forbidden):
        content.submit(unit, "hi", channel="web")


def test_sign_verify_and_register(runtime, make_person) -> None:  # type: ignore[no-untyped-def]
    with runtime.unit(Actor.operator("ops")) as unit:
        content_credentials.init_keys(unit, organisation="Northwind")
        with pytest.raises(Conflict):
            content_credentials.init_keys(unit, organisation="Northwind")
    maya = actor("maya", "marketing", runtime, make_person)
    with runtime.unit(maya) as unit:
        signed, record = content_credentials.sign(unit, png(), file_name="hero.png",
                                                  campaign="spring")
    assert record["status"] == "signed" and record["campaign"] == "spring"
    result = content_credentials.verify(runtime.settings, signed)
    assert result["state"] == "Trusted" and result["ai_generated"]
    with runtime.unit(maya) as unit:
        assert content_credentials.verify_in_unit(unit, signed)["registered_asset"]["id"] == \
            record["id"]
        assert [a["id"] for a in content_credentials.list_assets(unit, campaign="spring")] == [
            record["id"]]
    with pytest.raises(InvalidInput):
        content_credentials.verify(runtime.settings, b"not an image")
