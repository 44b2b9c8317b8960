"""PII detection: validators, candidates that must not be reported, and engine equivalence."""

import json
from pathlib import Path

import pytest

from steward.engines.pii import (
    PiiDetector,
    card_network,
    detect,
    luhn_ok,
    valid_card,
    valid_iban,
    valid_ip,
    valid_phone,
    valid_ssn,
)
from steward.engines.pii.evaluate import presidio_research_records, score

ROOT = Path(__file__).resolve().parents[3]
DATASET = ROOT.parent / "shared" / "data" / "pii" / "synth_dataset_v2.json"


def types(text: str) -> list[tuple[str, str]]:
    return [(s.entity_type, s.text) for s in detect(text)]


@pytest.mark.parametrize(("number", "network"), [
    ("4111111111111111", "visa"), ("4222222222222", "visa"),
    ("5555555555554444", "mastercard"), ("2223003122003222", "mastercard"),
    ("378282246310005", "amex"), ("371449635398431", "amex"),
    ("6011111111111117", "discover"), ("3530111333300000", "jcb"),
    ("36227206271667", "diners"), ("6304000000000000", "maestro"),
])
def test_card_networks_and_luhn(number: str, network: str) -> None:
    assert luhn_ok(number) and card_network(number) == network and valid_card(number)


def test_numbers_that_fail_their_checksum_are_not_cards_ibans_or_phones() -> None:
    assert not valid_card("4111111111111112")
    assert not valid_iban("GB82WEST12345698765433")
    assert valid_iban("GB82 WEST 1234 5698 7654 32") and valid_iban("DE89370400440532013000")
    text = ("Order #4111111111111112 shipped. Tracking 1Z999AA10123456784, SKU 20394857, "
            "build 10.2.3.4, invoice 5555555555554445, version 2.4.1.")
    assert types(text) == []


def test_ssn_rules() -> None:
    assert valid_ssn("123-45-6780") and not valid_ssn("666-12-3456")
    assert not valid_ssn("900-12-3456") and not valid_ssn("123-00-4567")
    assert not valid_ssn("078-05-1120")
    assert types("SSN 536-22-1234") == [("US_SSN", "536-22-1234")]


def test_ip_and_phone_validators() -> None:
    assert valid_ip("192.168.1.20") and valid_ip("2001:db8::1") and not valid_ip("300.1.1.1")
    assert valid_phone("+44 20 7946 0958") and valid_phone("(415) 555-2671")
    assert not valid_phone("+1 000 000 0000")


def test_detects_each_structured_type_with_offsets() -> None:
    text = ("Write to ada.l@example.co.uk, call +44 20 7946 0958, card 4111 1111 1111 1111, "
            "IBAN DE89 3704 0044 0532 0130 00, from 203.0.113.9.")
    found = detect(text)
    assert [s.entity_type for s in found] == ["EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD",
                                              "IBAN_CODE", "IP_ADDRESS"]
    for span in found:
        assert text[span.start:span.end] == span.text


def test_names_and_addresses_after_the_words_that_introduce_them() -> None:
    found = types("Dear Mr. Jürgen Klopp, we moved to 12 Baker Street.")
    assert ("PERSON", "Jürgen Klopp") in found
    assert any(t == "STREET_ADDRESS" and "Baker Street" in v for t, v in found)


def test_non_ascii_text_keeps_character_offsets() -> None:
    text = "Café Ünïcode — écrivez à zoë@example.fr ou ada@example.com"
    spans = detect(text)
    assert [text[s.start:s.end] for s in spans] == [s.text for s in spans]
    assert "ada@example.com" in [s.text for s in spans]


@pytest.mark.skipif(not DATASET.exists(), reason="shared data set not beside the checkout")
def test_hyperscan_and_re_give_the_same_spans() -> None:
    pytest.importorskip("hyperscan")
    records = json.loads(DATASET.read_text(encoding="utf-8"))[:600]
    fast, slow = PiiDetector(engine="hyperscan"), PiiDetector(engine="re")
    for item in records:
        assert fast.detect(item["full_text"]) == slow.detect(item["full_text"])


@pytest.mark.skipif(not DATASET.exists(), reason="shared data set not beside the checkout")
def test_accuracy_on_presidio_research_synthetic_set() -> None:
    """Structured types reach recall and precision >= 0.95 (span overlap, per type)."""
    records = presidio_research_records(json.loads(DATASET.read_text(encoding="utf-8")))
    detector = PiiDetector()
    scores = score(records, lambda text: [(s.start, s.end, s.entity_type)
                                          for s in detector.detect(text)])
    for entity in ("EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "US_SSN",
                   "IP_ADDRESS"):
        assert scores[entity].recall >= 0.95, scores[entity]
        assert scores[entity].precision >= 0.95, scores[entity]
    assert scores["PERSON"].precision >= 0.9
    assert scores["STREET_ADDRESS"].precision >= 0.9


def test_detect_many_equals_detect_and_spans_equal_constructed_ones() -> None:
    from steward.engines.pii import PiiSpan

    cells = ["Write to ada.l@example.co.uk, call +44 20 7946 0958", None, "", "Dear",
             "Café — zoë@example.fr, 4111 1111 1111 1111", "SSN 536-22-1234", "Mr. Ada Lovelace",
             "12 Baker Street", "Order #4111111111111112"] * 3
    detector = PiiDetector()
    batch = detector.detect_many(cells)
    assert batch == [detector.detect(c) if c else [] for c in cells]
    for spans in batch:
        for s in spans:
            same = PiiSpan(s.entity_type, s.start, s.end, s.text, s.detector)
            assert s == same and hash(s) == hash(same) and repr(s) == repr(same)
            assert vars(s) == vars(same)
