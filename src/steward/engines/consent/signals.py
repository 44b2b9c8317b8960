"""From decoded consent strings to the signals marketing needs.

:func:`tcf_purpose_signals` says which TCF purposes (1-11) a TC string grants by consent
and by legitimate interest; :func:`gpp_opt_outs` says whether a GPP string opts the person
out of sale, sharing, targeted advertising and sensitive-data processing, and whether it
carries GPC. Both are conservative: an opt-out in any US section counts.
"""

from __future__ import annotations

from steward.engines.consent.gpp import GPPString
from steward.engines.consent.tcf import TCString

#: The purposes of TCF v2.2 (purpose 1 cannot rest on legitimate interest).
TCF_PURPOSES = range(1, 12)

#: GPP 2-bit codes: 0 not applicable, 1 opted out / no consent, 2 did not opt out / consent.
OPTED_OUT = 1

_OPT_OUT_FIELDS = {
    "sale": ("SaleOptOut",),
    "sharing": ("SharingOptOut",),
    "targetedAdvertising": ("TargetedAdvertisingOptOut",),
}


def tcf_purpose_signals(tc: TCString) -> dict[int, dict[str, bool]]:
    """``{purpose: {"consent": bool, "legitimateInterest": bool}}`` for purposes 1-11."""
    return {
        p: {
            "consent": p in tc.purpose_consents,
            "legitimateInterest": p != 1 and p in tc.purpose_legitimate_interests,
        }
        for p in TCF_PURPOSES
    }


def gpp_opt_outs(gpp: GPPString) -> dict[str, bool]:
    """``{"sale", "sharing", "targetedAdvertising", "sensitiveDataProcessing", "gpc"}``.

    A flag is True when any decoded US section (``usnat`` or a state) says the person opted
    out (code 1); for sensitive data, when any category is refused (code 1). ``uspv1``'s
    ``OptOutSale`` of ``Y`` counts as a sale opt-out. ``gpc`` is True when a GPC sub-segment
    says so. No section, no opt-out: every flag False.
    """
    result = dict.fromkeys(
        ("sale", "sharing", "targetedAdvertising", "sensitiveDataProcessing", "gpc"), False
    )
    for section in gpp.sections.values():
        fields = section.fields
        if fields is None:
            continue
        if section.name == "uspv1":
            result["sale"] |= fields.get("OptOutSale") == "Y"
            continue
        for key, names in _OPT_OUT_FIELDS.items():
            result[key] |= any(fields.get(n) == OPTED_OUT for n in names)
        result["sensitiveDataProcessing"] |= OPTED_OUT in fields.get("SensitiveDataProcessing", [])
    result["gpc"] = bool(gpp.gpc)
    return result
