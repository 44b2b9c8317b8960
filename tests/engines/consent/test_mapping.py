"""TC and GPP strings become events for Steward's purposes."""

from datetime import UTC, datetime

from steward.core.consent import DEFAULT_PURPOSES
from steward.engines.consent import encode_gpp_string, encode_tc_string, make_gpp_string
from steward.engines.consent.mapping import events_from_string
from steward.engines.consent.tcf import TCString

WHEN = datetime(2025, 5, 1, 12, tzinfo=UTC)


def tc(consents: set[int], interests: frozenset[int] = frozenset()) -> TCString:
    return TCString(created=WHEN, last_updated=WHEN, cmp_id=300, cmp_version=1,
                    consent_screen=1, consent_language="EN", vendor_list_version=100,
                    purpose_consents=frozenset(consents), purpose_legitimate_interests=interests)


def by_purpose(events):  # type: ignore[no-untyped-def]
    return {(e.purpose, e.source): e for e in events}


def test_tc_string_maps_tcf_purposes() -> None:
    events = by_purpose(events_from_string(encode_tc_string(tc({1, 3, 4, 7}, frozenset({8, 9}))),
                                           DEFAULT_PURPOSES))
    assert events[("personalised_advertising", "cmp")].status == "granted"
    assert events[("personalised_advertising", "cmp")].lawful_basis == "consent"
    assert events[("personalised_content", "cmp")].status == "denied"
    measurement = events[("measurement", "cmp")]  # 7 by consent, 8 and 9 by LI: accepted
    assert (measurement.status, measurement.lawful_basis) == ("granted", "legitimate_interest")
    assert events[("personalised_advertising", "cmp")].occurred_at == WHEN
    assert ("email_marketing", "cmp") not in events  # not a TCF purpose


def test_gpp_us_opt_outs_and_gpc() -> None:
    gpp = make_gpp_string({"usca": {"SaleOptOut": 1, "SharingOptOut": 2,
                                    "GpcSegmentIncluded": True, "Gpc": True},
                           "tcfeuv2": tc({3, 4})})
    events = by_purpose(events_from_string(encode_gpp_string(gpp), DEFAULT_PURPOSES))
    assert events[("sale_of_data", "cmp")].status == "denied"
    assert events[("sale_of_data", "cmp")].jurisdiction == "US-CA"
    assert events[("targeted_advertising", "cmp")].lawful_basis in ("consent", "notice_opt_out")
    assert events[("personalised_advertising", "gpc")].status == "denied"
    assert events[("sale_of_data", "gpc")].source == "gpc"
