"""Consent as domain rules: purposes, events, the current state and why a person is in or out.

Pure: no database, no files. A **purpose** is Steward's own name for a reason to process
someone's data (``personalised_advertising``), mapped to fideslang data uses and to the IAB TCF
purposes a TC string grants it by, with a rule per jurisdiction:

- ``opt_in``: only a current grant counts, and only on a lawful basis the purpose accepts
  (``consent`` by default); no record means out;
- ``opt_out``: in unless the person said no (US state "right to opt out" regimes);
- ``prohibited``: out whatever the person said.

The **state** of a subject and purpose is the latest event (by time, then by arrival); a Global
Privacy Control signal is an event of source ``gpc`` that refuses the purposes it covers (sale,
sharing, targeted advertising). With precedence ``latest`` (the default) a later explicit grant
overrides GPC; with ``gpc`` any GPC signal on record wins.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

STATUSES = ("granted", "denied", "withdrawn")
SOURCES = ("web_form", "cmp", "import", "api", "gpc")
LAWFUL_BASES = ("consent", "legitimate_interest", "contract", "legal_obligation",
                "notice_opt_out")
RULES = ("opt_in", "opt_out", "prohibited")
GPC_PRECEDENCES = ("latest", "gpc")
GpcPrecedence = Literal["latest", "gpc"]

#: Why a row of an audience is in or out, by rank: with several purposes the highest wins.
REASONS = ("allowed", "no_record", "jurisdiction", "denied", "withdrawn", "gpc")
REASON_RANK = {name: rank for rank, name in enumerate(REASONS)}
DEFAULT_JURISDICTION = "*"

#: GPP opt-out signals a purpose may be refused by (names of :func:`gpp_opt_outs`).
GPP_SIGNALS = ("sale", "sharing", "targetedAdvertising", "sensitiveDataProcessing")


@dataclass(frozen=True)
class Purpose:
    """A consent purpose and how signals map to it."""

    key: str
    title: str
    description: str = ""
    data_uses: tuple[str, ...] = ()
    tcf_purposes: tuple[int, ...] = ()
    gpp_opt_outs: tuple[str, ...] = ()
    gpc: bool = False
    profiling: bool = False
    bases: tuple[str, ...] = ("consent",)
    rules: Mapping[str, str] = field(default_factory=lambda: {DEFAULT_JURISDICTION: "opt_in"})

    def rule_for(self, jurisdiction: str | None) -> str:
        """The rule for a jurisdiction: its longest matching prefix (``US-CA``, ``US``) or ``*``."""
        return rule_for(self.rules, jurisdiction)

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title, "description": self.description,
                "data_uses": list(self.data_uses), "tcf_purposes": list(self.tcf_purposes),
                "gpp_opt_outs": list(self.gpp_opt_outs), "gpc": self.gpc,
                "profiling": self.profiling, "bases": list(self.bases), "rules": dict(self.rules)}


def rule_for(rules: Mapping[str, str], jurisdiction: str | None) -> str:
    code = (jurisdiction or "").upper()
    while code:
        if code in rules:
            return rules[code]
        code = code.rpartition("-")[0]
    return rules.get(DEFAULT_JURISDICTION, "opt_in")


US_OPT_OUT = {DEFAULT_JURISDICTION: "opt_in", "US": "opt_out"}

#: Steward's default purposes (seeded on first use; an organisation may add its own).
DEFAULT_PURPOSES: tuple[Purpose, ...] = (
    Purpose("email_marketing", "E-mail marketing",
            "Promotional e-mail and newsletters (ePrivacy Art. 13: prior consent in the EU/UK; "
            "CAN-SPAM: opt-out in the US).",
            data_uses=("marketing.communications.email",), rules=US_OPT_OUT),
    Purpose("personalised_advertising", "Personalised advertising",
            "Build and use a profile to choose the ads a person sees (TCF purposes 3 and 4).",
            data_uses=("marketing.advertising.profiling",
                       "marketing.advertising.first_party.targeted"),
            tcf_purposes=(3, 4), gpp_opt_outs=("targetedAdvertising",), gpc=True,
            profiling=True, rules=US_OPT_OUT),
    Purpose("targeted_advertising", "Cross-context targeted advertising",
            "Share data with ad platforms to target people across sites and apps (custom and "
            "lookalike audiences).",
            data_uses=("marketing.advertising.third_party.targeted",),
            tcf_purposes=(3, 4), gpp_opt_outs=("targetedAdvertising", "sharing"), gpc=True,
            profiling=True, rules=US_OPT_OUT),
    Purpose("personalised_offers", "Personalised offers",
            "Use purchase history and scores to choose the offers a customer gets.",
            data_uses=("marketing.advertising.first_party.targeted",),
            tcf_purposes=(3, 4), profiling=True),
    Purpose("personalised_content", "Personalised content",
            "Build and use a profile to personalise content and recommendations (TCF 5 and 6).",
            data_uses=("personalize.content.profiled",), tcf_purposes=(5, 6), profiling=True),
    Purpose("measurement", "Measurement",
            "Measure ad and content performance and understand audiences (TCF 7, 8 and 9).",
            data_uses=("analytics.reporting.ad_performance",), tcf_purposes=(7, 8, 9),
            bases=("consent", "legitimate_interest"), rules=US_OPT_OUT),
    Purpose("product_improvement", "Develop and improve products",
            "Use data to develop and improve products and models (TCF purpose 10).",
            data_uses=("functional.service.improve",), tcf_purposes=(10,),
            bases=("consent", "legitimate_interest"), rules=US_OPT_OUT),
    Purpose("sale_of_data", "Sale of personal data",
            "Sell or share personal data with third parties for their own use.",
            data_uses=("third_party_sharing",), gpp_opt_outs=("sale",), gpc=True,
            rules=US_OPT_OUT),
)


def normalise_subject(identifier: str) -> str:
    """The form a subject identifier is keyed in: trimmed and lower-cased."""
    return identifier.strip().lower()


@dataclass(frozen=True)
class State:
    """The current state of one subject for one purpose: its latest event and any GPC signal."""

    status: str
    lawful_basis: str
    source: str
    jurisdiction: str | None
    gpc_on_record: bool = False


def reason(purpose: Purpose, state: State | None, *, jurisdiction: str | None = None,
           precedence: GpcPrecedence = "latest") -> str:
    """Why a subject is in (``allowed``) or out for a purpose; see :data:`REASONS`.

    ``jurisdiction`` is where the person is for this use (else the state's own).
    """
    where = jurisdiction or (state.jurisdiction if state else None)
    rule = purpose.rule_for(where)
    if rule == "prohibited":
        return "jurisdiction"
    if state is None:
        return "allowed" if rule == "opt_out" else "no_record"
    if precedence == "gpc" and purpose.gpc and state.gpc_on_record:
        return "gpc"
    if state.status == "granted":
        if rule == "opt_in" and state.lawful_basis not in purpose.bases:
            return "jurisdiction"
        return "allowed"
    if state.source == "gpc":
        return "gpc"
    return state.status


def worst(reasons: Sequence[str]) -> str:
    """The reason that decides when several purposes apply (highest rank)."""
    return max(reasons, key=REASON_RANK.__getitem__, default="allowed")


def explain(reason_name: str, purpose: str) -> str:
    """One sentence a person (or a marketer) can read."""
    return {
        "allowed": f"may be processed for {purpose}",
        "no_record": f"no consent on record for {purpose}",
        "jurisdiction": f"the rule for {purpose} in this jurisdiction does not allow it",
        "denied": f"refused {purpose}",
        "withdrawn": f"withdrew consent for {purpose}",
        "gpc": f"opted out of {purpose} by Global Privacy Control",
    }[reason_name]
