from __future__ import annotations

from steward.engines.consent import (
    decode_gpp_string,
    decode_tc_string,
    gpp_opt_outs,
    make_gpp_string,
    tcf_purpose_signals,
)

TC = (  # the golden strings of test_tcf.py and test_gpp.py
    "CP60aCBP63ONQEsAHCFRCWFoAPLAAEPAAAYgGQQA4AAgAHAvMC9QGQAAQQQAgkAGBeYF6DgAIAAQ"
    ".IGQQBIAAgAGAAiBeYF6gMgAA.eAAABAAAAAAA"
)
GPP = f"DBACPbA~{TC}~1YYN~CEAZGAAAAACA.YA~BAgAAABA"


def test_tcf_purpose_signals() -> None:
    signals = tcf_purpose_signals(decode_tc_string(TC))
    assert list(signals) == list(range(1, 12))
    assert signals[1] == {"consent": True, "legitimateInterest": False}
    assert signals[7] == {"consent": True, "legitimateInterest": True}
    assert signals[8] == {"consent": False, "legitimateInterest": True}
    assert signals[11] == {"consent": False, "legitimateInterest": False}


def test_gpp_opt_outs_from_usnat_and_gpc() -> None:
    assert gpp_opt_outs(decode_gpp_string(GPP)) == {
        "sale": True,
        "sharing": False,
        "targetedAdvertising": True,
        "sensitiveDataProcessing": True,
        "gpc": True,
    }


def test_any_state_section_opting_out_counts_and_no_section_means_no_opt_out() -> None:
    gpp = make_gpp_string(
        {
            "usva": {"TargetedAdvertisingOptOut": 1},
            "usca": {"SharingOptOut": 2, "GpcSegmentIncluded": True},
        }
    )
    assert gpp_opt_outs(gpp) == {
        "sale": False,
        "sharing": False,
        "targetedAdvertising": True,
        "sensitiveDataProcessing": False,
        "gpc": False,
    }
    assert gpp.gpc is False
    assert make_gpp_string({"usva": {}}).gpc is None
    assert not any(gpp_opt_outs(decode_gpp_string("DBAA")).values())
