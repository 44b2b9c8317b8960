from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from steward.engines.consent import (
    ConsentStringError,
    PublisherRestriction,
    TCString,
    decode_consent_string,
    decode_tc_string,
    encode_tc_string,
)
from steward.engines.consent.bits import BitWriter
from steward.errors import InvalidInput

# Made by Steward's encoder and checked against @iabtcf/core 1.5.6 (which decodes it to
# exactly EXPECTED): bit-field and range vendor encodings, two publisher restrictions, the
# disclosed-vendors and publisher TC segments.
GOLDEN = (
    "CP60aCBP63ONQEsAHCFRCWFoAPLAAEPAAAYgGQQA4AAgAHAvMC9QGQAAQQQAgkAGBeYF6DgAIAAQ"
    ".IGQQBIAAgAGAAiBeYF6gMgAA.eAAABAAAAAAA"
)
EXPECTED = {
    "kind": "tcf",
    "version": 2,
    "created": "2024-03-01T12:00:00.100Z",
    "lastUpdated": "2024-03-02T08:30:00.000Z",
    "cmpId": 300,
    "cmpVersion": 7,
    "consentScreen": 2,
    "consentLanguage": "FR",
    "vendorListVersion": 150,
    "policyVersion": 5,
    "isServiceSpecific": True,
    "useNonStandardTexts": False,
    "specialFeatureOptins": [1],
    "purposeConsents": [1, 2, 3, 4, 7, 9, 10],
    "purposeLegitimateInterests": [2, 7, 8, 9, 10],
    "purposeOneTreatment": False,
    "publisherCountryCode": "DE",
    "vendorConsents": [1, 2, 3, 755, 756, 757, 800],
    "vendorLegitimateInterests": [2, 8],
    "publisherRestrictions": [
        {"purpose": 2, "type": 1, "vendors": [755, 756]},
        {"purpose": 7, "type": 0, "vendors": [1]},
    ],
    "vendorsDisclosed": [1, 2, 3, 8, 755, 756, 757, 800],
    "publisherConsents": [1, 2],
    "publisherLegitimateInterests": [3],
}


def _tc(**changes) -> TCString:
    base = TCString(
        created=datetime(2024, 3, 1, 12, 0, 0, 100000, tzinfo=UTC),
        last_updated=datetime(2024, 3, 2, 8, 30, tzinfo=UTC),
        cmp_id=300,
        cmp_version=7,
        consent_screen=2,
        consent_language="FR",
        vendor_list_version=150,
        special_feature_optins=frozenset({1}),
        purpose_consents=frozenset({1, 2, 3, 4, 7, 9, 10}),
        purpose_legitimate_interests=frozenset({2, 7, 8, 9, 10}),
        publisher_country_code="DE",
        vendor_consents=frozenset({1, 2, 3, 755, 756, 757, 800}),
        vendor_legitimate_interests=frozenset({2, 8}),
        publisher_restrictions=(
            PublisherRestriction(2, 1, frozenset({755, 756})),
            PublisherRestriction(7, 0, frozenset({1})),
        ),
        vendors_disclosed=frozenset({1, 2, 3, 8, 755, 756, 757, 800}),
        publisher_consents=frozenset({1, 2}),
        publisher_legitimate_interests=frozenset({3}),
    )
    return replace(base, **changes)


def test_golden_string_decodes_to_the_reference_fields() -> None:
    assert decode_consent_string(GOLDEN) == EXPECTED
    assert list(decode_consent_string(GOLDEN)) == list(EXPECTED)  # key order too


def test_encoder_writes_the_golden_string() -> None:
    assert encode_tc_string(_tc()) == GOLDEN
    tc = decode_tc_string(GOLDEN)
    assert tc.segments == ("core", "vendorsDisclosed", "publisherTC")
    assert encode_tc_string(tc) == GOLDEN


def test_segments_can_be_chosen_and_core_only_drops_the_rest() -> None:
    core_only = encode_tc_string(_tc(), segments=["core"])
    assert core_only == GOLDEN.split(".")[0]
    assert decode_tc_string(core_only).vendors_disclosed == frozenset()


def test_custom_purposes_and_vendors_allowed_round_trip() -> None:
    tc = _tc(
        num_custom_purposes=5,
        publisher_custom_consents=frozenset({1, 5}),
        publisher_custom_legitimate_interests=frozenset({2}),
        vendors_allowed=frozenset({3, 8}),
    )
    again = decode_tc_string(encode_tc_string(tc))
    assert again == replace(tc, segments=again.segments)
    assert again.segments == ("core", "vendorsDisclosed", "vendorsAllowed", "publisherTC")


def test_error_is_invalid_input_and_value_error() -> None:
    with pytest.raises(ConsentStringError) as info:
        decode_tc_string("not a TC string!")
    assert isinstance(info.value, InvalidInput)
    assert isinstance(info.value, ValueError)
    assert info.value.status == 422


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "TC string is empty"),
        ("CP60aC*P63", "TC string: bad base64url at character 7"),
        ("CP60aCBP63ONQEsAHCFRCWFo", "TC string truncated: core segment needs 213 bits, got 144"),
        (GOLDEN[:70], "TC string truncated: core segment needs"),
        ("BOEFEAyOEFEAyAHABDENAI4AAAB9vABAASA", "unsupported TC string version 1"),
        ("DP60aCBP63ON", "unsupported TC string version 3"),
        ("IGQQBIAAgAGA", "TC string: the core segment must come first, found vendorsDisclosed"),
        (GOLDEN + ".IGQQ", "TC string: segment vendorsDisclosed appears twice"),
        (GOLDEN.split(".")[0] + "..eAAA", "TC string: segment 2 is empty"),
        (GOLDEN.split(".")[0] + ".oAAA", "TC string: unknown segment type 5 in segment 2"),
        (GOLDEN.split(".")[0] + ".AAAA", "TC string: segment core appears twice"),
    ],
)
def test_malformed_strings_are_refused_with_one_line(text: str, message: str) -> None:
    with pytest.raises(ConsentStringError) as info:
        decode_tc_string(text)
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)


def _core_with(**fields) -> str:
    """A core segment with some fields replaced by raw values (for malformed cases)."""
    raw = {"cmp_id": 300, "lang": (5, 17), "restriction": None, "range": None}
    raw.update(fields)
    w = BitWriter()
    w.write_int(2, 6, field="v")
    w.write_int(0, 72, field="times")
    w.write_int(raw["cmp_id"], 12, field="cmpId")
    w.write_int(0, 18, field="cmpVersion, screen")
    for code in raw["lang"]:
        w.write_int(code, 6, field="lang")
    w.write_int(0, 12 + 6 + 2 + 12 + 48 + 1, field="...")
    w.write_int(3, 6, field="cc")
    w.write_int(4, 6, field="cc")
    if raw["range"] is None:
        w.write_int(0, 17, field="vendorConsents: empty bit field")
    else:
        start, end = raw["range"]
        w.write_int(end, 16, field="maxId")
        w.write_bool(True)
        w.write_int(1, 12, field="entries")
        w.write_bool(True)
        w.write_int(start, 16, field="start")
        w.write_int(end, 16, field="end")
    w.write_int(0, 17, field="vendorLegitimateInterests")
    if raw["restriction"] is None:
        w.write_int(0, 12, field="no restrictions")
    else:
        purpose, kind = raw["restriction"]
        w.write_int(1, 12, field="one restriction")
        w.write_int(purpose, 6, field="purpose")
        w.write_int(kind, 2, field="type")
        w.write_int(0, 12, field="no vendors")
    return w.to_base64url()


def test_hand_built_core_decodes() -> None:
    tc = decode_tc_string(_core_with())
    assert (tc.cmp_id, tc.consent_language, tc.publisher_country_code) == (300, "FR", "DE")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"cmp_id": 1}, "TC string: cmpId 1 is not a CMP id"),
        ({"lang": (5, 40)}, "TC string: consentLanguage has a letter code 40 outside A-Z"),
        ({"restriction": (3, 3)}, "restriction for purpose 3 has reserved restriction type 3"),
        ({"restriction": (0, 1)}, "restriction for purpose 0 has purpose id 0"),
        ({"range": (9, 4)}, "TC string: vendorConsents range 9-4 is empty"),
        ({"range": (0, 4)}, "TC string: vendorConsents has vendor id 0"),
    ],
)
def test_inconsistent_fields_are_refused(fields: dict, message: str) -> None:
    with pytest.raises(ConsentStringError, match=message):
        decode_tc_string(_core_with(**fields))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"cmp_id": 5000}, "cannot encode cmpId=5000"),
        ({"consent_language": "F1"}, "cannot encode consentLanguage='F1'"),
        ({"created": datetime(2024, 1, 1)}, "needs a time zone"),  # noqa: DTZ001
        ({"purpose_consents": frozenset({25})}, "ids must be 1 to 24"),
        ({"vendor_consents": frozenset({0})}, "vendorConsents has vendor id 0"),
        ({"version": 1}, "unsupported TC string version 1"),
    ],
)
def test_encoder_refuses_values_that_do_not_fit(changes: dict, message: str) -> None:
    with pytest.raises(ConsentStringError, match=message):
        encode_tc_string(_tc(**changes))


def test_times_round_to_the_nearest_decisecond() -> None:
    tc = decode_tc_string(
        encode_tc_string(_tc(created=datetime(2024, 1, 1, 0, 0, 0, 150000, tzinfo=UTC)))
    )
    assert tc.created == datetime(2024, 1, 1, 0, 0, 0, 200000, tzinfo=UTC)


def test_duplicate_restrictions_merge_in_first_seen_order() -> None:
    tc = _tc(
        publisher_restrictions=(
            PublisherRestriction(4, 2, frozenset({9})),
            PublisherRestriction(2, 1, frozenset({1})),
            PublisherRestriction(4, 2, frozenset({3})),
        )
    )
    again = decode_tc_string(encode_tc_string(tc))
    assert [r.to_dict() for r in again.publisher_restrictions] == [
        {"purpose": 4, "type": 2, "vendors": [3, 9]},
        {"purpose": 2, "type": 1, "vendors": [1]},
    ]
