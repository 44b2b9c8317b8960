"""What an AI system record holds, and the rules its fields obey.

An AI system is a *use case* ("GenAI email copy via vendor X", "propensity model for card
offers"): who owns it, what it is for, where it reaches customers, what kind of AI it is, where the
model and its training data come from (and on what terms), which personal data it uses for which
purposes (fideslang keys), and the consent purposes it relies on.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from steward.core.lifecycle import Stage
from steward.core.risk import AiKind, normalise_jurisdiction
from steward.core.taxonomy import data_categories, data_uses

AIKind = AiKind  # one list of AI kinds: the risk questionnaire's

GENERATIVE_KINDS = frozenset({AIKind.GENERATIVE_TEXT, AIKind.GENERATIVE_IMAGE,
                              AIKind.GENERATIVE_AUDIO, AIKind.GENERATIVE_VIDEO, AIKind.CHATBOT})


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    PUSH = "push"
    WEB = "web"
    APP = "app"
    SOCIAL = "social"
    ADS = "ads"
    CHAT = "chat"
    VOICE = "voice"
    PRINT = "print"
    DIRECT_MAIL = "direct_mail"
    CALL_CENTER = "call_center"
    IN_STORE = "in_store"


class Hosting(StrEnum):
    VENDOR_SAAS = "vendor_saas"
    VENDOR_API = "vendor_api"
    OUR_CLOUD = "our_cloud"
    ON_PREMISES = "on_premises"


SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")

Text200 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Slug = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, pattern=SLUG_RE)]


def normalise_jurisdictions(values: list[str]) -> list[str]:
    """Check and upper-case jurisdiction codes (the risk questionnaire's rule), dropping repeats."""
    return list(dict.fromkeys(normalise_jurisdiction(v.replace("_", "-")) for v in values))


def _check_keys(values: list[str], known: dict, what: str) -> list[str]:
    bad = [v for v in values if v not in known]
    if bad:
        raise ValueError(f"unknown fideslang {what} {', '.join(map(repr, bad))}")
    return list(dict.fromkeys(values))


class TrainingDataSource(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text200 = Field(min_length=1)
    owner: Text200 = ""
    licence: Text200 = ""


class _SystemFields(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=False)

    @field_validator("jurisdictions", check_fields=False)
    @classmethod
    def _jurisdictions(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else normalise_jurisdictions(value)

    @field_validator("data_categories", check_fields=False)
    @classmethod
    def _categories(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _check_keys(value, data_categories(), "data category")

    @field_validator("data_uses", check_fields=False)
    @classmethod
    def _uses(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _check_keys(value, data_uses(), "data use")

    @field_validator("channels", "ai_kinds", "consent_purposes", check_fields=False)
    @classmethod
    def _dedupe(cls, value: list | None) -> list | None:
        return None if value is None else list(dict.fromkeys(value))


class SystemSpec(_SystemFields):
    """Everything needed to register an AI system."""

    name: Text200 = Field(min_length=1)
    purpose: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                              max_length=2000)]
    description: Annotated[str, StringConstraints(max_length=10_000)] = ""
    owner: Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True,
                                            min_length=2, max_length=64)]
    business_unit: Text200 = ""
    stage: Stage = Stage.PROPOSED
    channels: list[Channel] = Field(default_factory=list)
    ai_kinds: list[AIKind] = Field(min_length=1)
    customer_facing: bool = False
    jurisdictions: list[str] = Field(default_factory=list)
    vendor: Text200 | None = None
    product: Text200 | None = None
    model_name: Text200 | None = None
    model_version: Text200 | None = None
    hosting: Hosting | None = None
    vendor_trains_on_our_data: bool | None = None
    training_opt_out: bool | None = None
    output_ip_indemnity: bool | None = None
    trained_only_on_own_data: bool = False
    training_data_sources: list[TrainingDataSource] = Field(default_factory=list)
    data_categories: list[str] = Field(default_factory=list)
    data_uses: list[str] = Field(default_factory=list)
    consent_purposes: list[Slug] = Field(default_factory=list)
    human_oversight: bool | None = Field(
        default=None, description="a person reviews or can override its outputs before they act")
    bot_disclosure: bool | None = Field(
        default=None, description="people are told they are dealing with a bot or AI")
    human_handoff: bool | None = Field(
        default=None, description="people can reach a human instead")


class SystemChanges(_SystemFields):
    """A partial update: only the fields given change. Stage moves go through the lifecycle."""

    name: Text200 | None = Field(default=None, min_length=1)
    purpose: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                              max_length=2000)] | None = None
    description: Annotated[str, StringConstraints(max_length=10_000)] | None = None
    owner: Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True,
                                            min_length=2, max_length=64)] | None = None
    business_unit: Text200 | None = None
    channels: list[Channel] | None = None
    ai_kinds: list[AIKind] | None = Field(default=None, min_length=1)
    customer_facing: bool | None = None
    jurisdictions: list[str] | None = None
    vendor: Text200 | None = None
    product: Text200 | None = None
    model_name: Text200 | None = None
    model_version: Text200 | None = None
    hosting: Hosting | None = None
    vendor_trains_on_our_data: bool | None = None
    training_opt_out: bool | None = None
    output_ip_indemnity: bool | None = None
    trained_only_on_own_data: bool | None = None
    training_data_sources: list[TrainingDataSource] | None = None
    data_categories: list[str] | None = None
    data_uses: list[str] | None = None
    consent_purposes: list[Slug] | None = None
    human_oversight: bool | None = None
    bot_disclosure: bool | None = None
    human_handoff: bool | None = None


LIST_FIELDS = ("channels", "ai_kinds", "jurisdictions", "data_categories", "data_uses",
               "consent_purposes")
