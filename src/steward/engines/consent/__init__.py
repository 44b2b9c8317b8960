"""Consent strings: IAB TCF v2.2, IAB GPP and Global Privacy Control, decoded and encoded.

A consent string is how a person's choices travel with them across the ad ecosystem. The EU
Transparency and Consent Framework (TCF) packs purposes, vendors and publisher restrictions
into a *TC string*; the Global Privacy Platform (GPP) carries a TC string and US state
opt-outs in one *GPP string*; Global Privacy Control (GPC) is a browser header, ``Sec-GPC: 1``.

Everything here is pure: strings in, frozen dataclasses or JSON-ready dicts out. A malformed
string raises :class:`ConsentStringError` (an :class:`~steward.errors.InvalidInput` and a
:class:`ValueError`) with a one-line message. Field names in the dicts are those of the IAB
reference libraries (``@iabtcf/core``, ``@iabgpp/cmpapi``), and the tests hold the decoders
to them field for field. What this cannot decide: whether a string was honestly collected,
or whether a signal is still current; that is the ledger's work.
"""

from __future__ import annotations

from typing import Any

from steward.engines.consent.errors import ConsentStringError
from steward.engines.consent.gpc import gpc_from_headers, parse_sec_gpc
from steward.engines.consent.gpp import (
    GPPSection,
    GPPString,
    decode_gpp_string,
    encode_gpp_string,
    make_gpp_string,
)
from steward.engines.consent.signals import gpp_opt_outs, tcf_purpose_signals
from steward.engines.consent.tcf import PublisherRestriction, TCString, decode_tc_string
from steward.engines.consent.tcf_encode import encode_tc_string


def decode_consent_string(text: str) -> dict[str, Any]:
    """Decode a TC or GPP string (GPP strings start with ``DB``) to its JSON-ready dict.

    TC strings give ``{"kind": "tcf", ...}`` with the ``@iabtcf/core`` names; GPP strings
    ``{"kind": "gpp", "version", "sectionIds", "sections", "gpc"}``.
    """
    text = text.strip()
    if text.startswith("DB"):
        return decode_gpp_string(text).to_dict()
    return {"kind": "tcf", **decode_tc_string(text).to_dict()}


__all__ = [
    # any consent string
    "decode_consent_string",
    "ConsentStringError",
    # TCF v2.2
    "TCString",
    "PublisherRestriction",
    "decode_tc_string",
    "encode_tc_string",
    # GPP
    "GPPString",
    "GPPSection",
    "decode_gpp_string",
    "encode_gpp_string",
    "make_gpp_string",
    # GPC
    "parse_sec_gpc",
    "gpc_from_headers",
    # signals for marketing
    "tcf_purpose_signals",
    "gpp_opt_outs",
]
