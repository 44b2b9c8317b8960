"""From a TC or GPP string to consent events for Steward's purposes.

- **TCF** (a TC string, or a GPP string's ``tcfeuv2`` section): a purpose mapped to TCF purposes
  is ``granted`` on ``consent`` when the string consents to all of them, ``granted`` on
  ``legitimate_interest`` when each is consented or established as a legitimate interest and
  the purpose accepts that basis, else ``denied``. The time is the string's ``lastUpdated``.
- **US sections of GPP** (``usnat``, the states, ``uspv1``): a purpose refused by one of its
  opt-out signals (sale, sharing, targeted advertising) is ``denied``; otherwise, when a US
  section is present, ``granted`` on ``notice_opt_out`` (the person saw the notice and did not
  opt out).
- **GPC** in a GPP string: a ``gpc`` event for every purpose GPC covers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from steward.core.consent import Purpose
from steward.engines.consent import (
    decode_gpp_string,
    decode_tc_string,
    gpp_opt_outs,
    tcf_purpose_signals,
)
from steward.engines.consent.tcf import TCString

US_JURISDICTIONS = {"usnat": "US", "uspv1": "US-CA"}


@dataclass(frozen=True)
class MappedEvent:
    """One event a consent string implies for a purpose."""

    purpose: str
    status: str
    lawful_basis: str
    source: str
    jurisdiction: str | None
    occurred_at: datetime | None


def _from_tc(tc: TCString, purposes: Sequence[Purpose], jurisdiction: str | None
             ) -> list[MappedEvent]:
    signals = tcf_purpose_signals(tc)
    events = []
    for p in purposes:
        if not p.tcf_purposes:
            continue
        wanted = [signals.get(t, {"consent": False, "legitimateInterest": False})
                  for t in p.tcf_purposes]
        if all(s["consent"] for s in wanted):
            status, basis = "granted", "consent"
        elif "legitimate_interest" in p.bases and all(
                s["consent"] or s["legitimateInterest"] for s in wanted):
            status, basis = "granted", "legitimate_interest"
        else:
            status, basis = "denied", "consent"
        events.append(MappedEvent(p.key, status, basis, "cmp", jurisdiction or "EU",
                                  tc.last_updated))
    return events


def _us_jurisdiction(names: Sequence[str]) -> str:
    states = [n for n in names if n.startswith("us") and n not in ("usnat", "uspv1")]
    if len(states) == 1:
        return "US-" + states[0][2:].upper()
    if names == ["uspv1"]:
        return "US-CA"
    return "US"


def events_from_string(text: str, purposes: Sequence[Purpose], *,
                       jurisdiction: str | None = None) -> list[MappedEvent]:
    """The events a TC or GPP string implies; raises ``ConsentStringError`` if malformed."""
    text = text.strip()
    if not text.startswith("DB"):
        return _from_tc(decode_tc_string(text), purposes, jurisdiction)
    gpp = decode_gpp_string(text)
    events: list[MappedEvent] = []
    section = gpp.sections.get("tcfeuv2")
    if section is not None and section.tc is not None:
        events += _from_tc(section.tc, purposes, jurisdiction)
    us = [name for name, s in gpp.sections.items()
          if s.fields is not None and (name.startswith("us"))]
    if us:
        where = jurisdiction or _us_jurisdiction(us)
        flags = gpp_opt_outs(gpp)
        for p in purposes:
            if not p.gpp_opt_outs:
                continue
            refused = any(flags.get(signal) for signal in p.gpp_opt_outs)
            events.append(MappedEvent(p.key, "denied" if refused else "granted",
                                      "notice_opt_out", "cmp", where, None))
    if gpp.gpc:
        where = jurisdiction or (_us_jurisdiction(us) if us else None)
        events += [MappedEvent(p.key, "denied", "notice_opt_out", "gpc", where, None)
                   for p in purposes if p.gpc]
    return events
