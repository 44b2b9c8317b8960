"""The risk model's vocabulary: tiers, parties, stages, AI kinds, uses, jurisdictions, errors."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum

DEFAULT_ANNEX_III_APPLIES_FROM = date(2027, 12, 2)
ANNEX_III = "annex_iii"


class InvalidAnswers(ValueError):
    """The answers document is malformed; the message names the field in one line."""


class RuleError(ValueError):
    """A rule or obligation is malformed or refers to something unknown."""

    def __init__(self, message: str, *, rule_id: str | None = None) -> None:
        super().__init__(message)
        self.rule_id = rule_id


class Tier(StrEnum):
    PROHIBITED = "prohibited"
    HIGH = "high"
    LIMITED = "limited"
    MINIMAL = "minimal"

    @property
    def rank(self) -> int:
        """3 for prohibited down to 0 for minimal."""
        return {"prohibited": 3, "high": 2, "limited": 1, "minimal": 0}[self.value]


class Party(StrEnum):
    """Who answers (``role``) or who bears an obligation (``party``), in EU AI Act terms."""

    PROVIDER = "provider"
    DEPLOYER = "deployer"
    BOTH = "both"


class Stage(StrEnum):
    """The lifecycle gate by which an obligation must be met."""

    PILOT = "pilot"
    PRODUCTION = "production"


class AiKind(StrEnum):
    GENERATIVE_TEXT = "generative_text"
    GENERATIVE_IMAGE = "generative_image"
    GENERATIVE_AUDIO = "generative_audio"
    GENERATIVE_VIDEO = "generative_video"
    PREDICTIVE_MODEL = "predictive_model"
    RECOMMENDER = "recommender"
    CHATBOT = "chatbot"
    SEGMENTATION = "segmentation"


class Use(StrEnum):
    TARGETED_JOB_ADS = "targeted_job_ads"
    CREDIT_OFFERS_CREDITWORTHINESS = "credit_offers_creditworthiness"
    INSURANCE_PRICING_LIFE_HEALTH = "insurance_pricing_life_health"
    EMOTION_RECOGNITION = "emotion_recognition"
    BIOMETRIC_CATEGORISATION = "biometric_categorisation"
    SUBLIMINAL_TECHNIQUES = "subliminal_techniques"
    EXPLOITS_VULNERABILITIES = "exploits_vulnerabilities"
    SOCIAL_SCORING = "social_scoring"
    PERSONALISED_PRICING = "personalised_pricing"
    AUDIENCE_TARGETING = "audience_targeting"
    LEAD_SCORING = "lead_scoring"
    CONTENT_GENERATION = "content_generation"
    CUSTOMER_SERVICE = "customer_service"


ANNEX_III_USES = (
    Use.TARGETED_JOB_ADS,
    Use.CREDIT_OFFERS_CREDITWORTHINESS,
    Use.INSURANCE_PRICING_LIFE_HEALTH,
    Use.EMOTION_RECOGNITION,
    Use.BIOMETRIC_CATEGORISATION,
)
SYNTHETIC_MEDIA_KINDS = (AiKind.GENERATIVE_IMAGE, AiKind.GENERATIVE_AUDIO, AiKind.GENERATIVE_VIDEO)


def _codes(text: str) -> frozenset[str]:
    return frozenset(text.split())


EU_MEMBER_STATES = _codes(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK"
)
EEA_NON_EU = _codes("IS LI NO")
US_STATES = _codes(
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM "
    "NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR GU VI AS MP"
)
_COUNTRY = re.compile(r"[A-Z]{2}")


def normalise_jurisdiction(code: str) -> str:
    """``EU``, ``UK``, ``US``, ``US-XX`` (a US state) or an ISO 3166-1 alpha-2 code, upper-cased."""
    value = code.strip().upper()
    if value in {"EU", "UK", "US"} or _COUNTRY.fullmatch(value):
        return value
    if value.startswith("US-") and value[3:] in US_STATES:
        return value
    raise ValueError(
        f"{code!r} is not a jurisdiction (use EU, UK, US, US-XX or an ISO country code)"
    )
