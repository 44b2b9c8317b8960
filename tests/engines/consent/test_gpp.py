from __future__ import annotations

import pytest

from steward.engines.consent import (
    ConsentStringError,
    decode_consent_string,
    decode_gpp_string,
    encode_gpp_string,
    make_gpp_string,
)

TC = (
    "CP60aCBP63ONQEsAHCFRCWFoAPLAAEPAAAYgGQQA4AAgAHAvMC9QGQAAQQQAgkAGBeYF6DgAIAAQ"
    ".IGQQBIAAgAGAAiBeYF6gMgAA.eAAABAAAAAAA"
)
# Made by Steward's encoder; @iabgpp/cmpapi 3.2.0 decodes its sections to these fields.
GOLDEN = f"DBACPbA~{TC}~1YYN~CEAZGAAAAACA.YA~BAgAAABA"
USNAT = {
    "Version": 2,
    "SharingNotice": 0,
    "SaleOptOutNotice": 1,
    "SharingOptOutNotice": 0,
    "TargetedAdvertisingOptOutNotice": 0,
    "SensitiveDataProcessingOptOutNotice": 0,
    "SensitiveDataLimitUseNotice": 0,
    "SaleOptOut": 1,
    "SharingOptOut": 2,
    "TargetedAdvertisingOptOut": 1,
    "SensitiveDataProcessing": [0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    "KnownChildSensitiveDataConsents": [0, 0, 0],
    "PersonalDataConsents": 0,
    "MspaCoveredTransaction": 2,
    "MspaOptOutOptionMode": 0,
    "MspaServiceProviderMode": 0,
    "GpcSegmentType": 1,
    "Gpc": True,
    "GpcSegmentIncluded": True,
}
USCA = {
    "Version": 1,
    "SaleOptOutNotice": 0,
    "SharingOptOutNotice": 0,
    "SensitiveDataLimitUseNotice": 0,
    "SaleOptOut": 2,
    "SharingOptOut": 0,
    "SensitiveDataProcessing": [0, 0, 0, 0, 0, 0, 0, 0, 0],
    "KnownChildSensitiveDataConsents": [0, 0],
    "PersonalDataConsents": 0,
    "MspaCoveredTransaction": 1,
    "MspaOptOutOptionMode": 0,
    "MspaServiceProviderMode": 0,
    "GpcSegmentType": 1,
    "Gpc": False,
    "GpcSegmentIncluded": False,
}


def test_golden_string() -> None:
    d = decode_consent_string(GOLDEN)
    assert d["kind"] == "gpp"
    assert d["version"] == 1
    assert d["sectionIds"] == [2, 6, 7, 8]
    assert list(d["sections"]) == ["tcfeuv2", "uspv1", "usnat", "usca"]
    assert d["sections"]["usnat"] == USNAT
    assert d["sections"]["usca"] == USCA
    assert d["sections"]["uspv1"] == {
        "Version": 1,
        "Notice": "Y",
        "OptOutSale": "Y",
        "LspaCovered": "N",
    }
    assert d["sections"]["tcfeuv2"]["vendorConsents"] == [1, 2, 3, 755, 756, 757, 800]
    assert "kind" not in d["sections"]["tcfeuv2"]
    assert d["gpc"] is True
    assert encode_gpp_string(decode_gpp_string(GOLDEN)) == GOLDEN


def test_make_fills_defaults_and_encodes_the_golden_string() -> None:
    gpp = make_gpp_string(
        {
            "usca": {"SaleOptOut": 2},
            "usnat": {
                "SaleOptOutNotice": 1,
                "SaleOptOut": 1,
                "SharingOptOut": 2,
                "TargetedAdvertisingOptOut": 1,
                "SensitiveDataProcessing": [0, 1, 2],
                "MspaCoveredTransaction": 2,
                "GpcSegmentIncluded": True,
                "Gpc": True,
            },
            "uspv1": "1YYN",
            "tcfeuv2": TC,
        }
    )
    assert encode_gpp_string(gpp) == GOLDEN
    assert gpp.sections["usca"].fields == USCA


@pytest.mark.parametrize(
    ("encoded", "expected"),
    [
        # the reference library's own test strings (iabgpp-es GppModel.test.ts, UsCa.test.ts)
        ("DBABLA~BVQqAAAAAgA.QA", {"Version": 1, "SaleOptOut": 2, "Gpc": False}),
        ("DBABLA~CAAAAAAAAABA.QA", {"Version": 2, "MspaCoveredTransaction": 1}),
        (
            "DBABBg~BVWSSSVY.YA",
            {"SensitiveDataProcessing": [2, 1, 0, 2, 1, 0, 2, 1, 0], "Gpc": True},
        ),
    ],
)
def test_published_sections(encoded: str, expected: dict) -> None:
    section = next(iter(decode_gpp_string(encoded).sections.values()))
    assert {k: section.fields[k] for k in expected} == expected


def test_usnat_version_1_has_twelve_sensitive_categories() -> None:
    usnat = decode_gpp_string("DBABLA~BVQqAAAAAgA.QA").sections["usnat"].fields
    assert len(usnat["SensitiveDataProcessing"]) == 12
    assert len(usnat["KnownChildSensitiveDataConsents"]) == 2
    assert encode_gpp_string(decode_gpp_string("DBABLA~BVQqAAAAAgA.QA")) == "DBABLA~BVQqAAAAAgA.QA"


def test_state_sections_ca_va_co_ct_ut_decode() -> None:
    gpp = make_gpp_string(
        {name: {"SaleOptOut": 1} for name in ("usca", "usva", "usco", "usut", "usct")}
    )
    again = decode_gpp_string(encode_gpp_string(gpp))
    assert again.section_ids == (8, 9, 10, 11, 12)
    assert all(s.fields["SaleOptOut"] == 1 for s in again.sections.values())


def test_unknown_sections_are_kept_encoded() -> None:
    gpp = decode_gpp_string("DBABDA~AAAA")  # header lists section 5 (tcfcav1)
    assert gpp.section_ids == (5,)
    assert gpp.to_dict()["sections"] == {"tcfcav1": {"decoded": False, "encoded": "AAAA"}}
    assert encode_gpp_string(gpp) == "DBABDA~AAAA"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "GPP string is empty"),
        ("DBABLA", "GPP string: header lists 1 sections but 0 follow"),
        ("DBABLA~BVQqAAAAAgA.QA~BAAA", "GPP string: header lists 1 sections but 2 follow"),
        ("DBACNYA~ ~1YNN", "GPP string: section 1 (tcfeuv2) is blank"),
        ("DBABLA~BVQq", "GPP string usnat section truncated: core segment needs"),
        ("DBABLA~BVQqAAAAAgA.", "GPP string usnat: segment 2 is empty"),
        ("DBABLA~BVQqAAAAAgA.QA.QA", "GPP string: section usnat has 3 segments, at most 2"),
        ("DBABTA~1YXN", "GPP string: uspv1 section must be 4 characters"),
        ("DBABMA~CP60a", "GPP string: tcfeuv2 section: TC string truncated"),
        ("DBAB*A~1YNN", "GPP string: bad base64url at character 5"),
    ],
)
def test_malformed_gpp_strings_are_refused(text: str, message: str) -> None:
    with pytest.raises(ConsentStringError) as info:
        decode_gpp_string(text)
    assert str(info.value).startswith(message)


def test_not_a_gpp_header() -> None:
    with pytest.raises(ConsentStringError, match="header must start with 'DB'"):
        decode_gpp_string("CPXxRfAPXxRfAAfKABENB")


def test_encoder_refuses_out_of_range_values() -> None:
    with pytest.raises(ConsentStringError, match=r"cannot encode usca\.SaleOptOut=4"):
        make_gpp_string({"usca": {"SaleOptOut": 4}})
    with pytest.raises(ConsentStringError, match="at most 9 values"):
        make_gpp_string({"usca": {"SensitiveDataProcessing": [0] * 10}})
