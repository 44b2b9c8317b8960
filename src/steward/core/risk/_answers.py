"""The questionnaire's answers: validation, implied answers and the facts rule conditions see."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from steward.core.risk._vocabulary import (
    EEA_NON_EU,
    EU_MEMBER_STATES,
    SYNTHETIC_MEDIA_KINDS,
    AiKind,
    InvalidAnswers,
    Party,
    Use,
    normalise_jurisdiction,
)

IMPLY_PERSONAL_DATA = (
    "personal_data",
    "profiling",
    "sensitive_data",
    "sells_or_shares_personal_data",
)


class RiskAnswers(BaseModel):
    """The questionnaire's answers; every field is a question (its description is the text)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, description="Name of the AI system")
    role: Party = Field(
        default=Party.DEPLOYER,
        description="Do you build it (provider), use it (deployer), or both?",
    )
    ai_kind: tuple[AiKind, ...] = Field(default=(), description="What kind of AI is it?")
    uses: tuple[Use, ...] = Field(default=(), description="What is it used for?")
    jurisdictions: tuple[str, ...] = Field(
        default=("EU",),
        min_length=1,
        description="Where are the people it affects (EU, UK, US, US-CA, or country codes)?",
    )
    interacts_with_people: bool = Field(
        default=False, description="Do people interact with it directly (e.g. chat)?"
    )
    generates_synthetic_media: bool = Field(
        default=False, description="Does it generate synthetic images, audio or video?"
    )
    depicts_real_people_or_places: bool = Field(
        default=False,
        description="Does the synthetic media resemble real people, places or events (a deepfake)?",
    )
    public_interest_text: bool = Field(
        default=False,
        description="Does it publish generated text to inform the public on matters of public "
        "interest?",
    )
    human_editorial_review: bool = Field(
        default=False,
        description="Is that text under human editorial review, with a person or organisation "
        "holding editorial responsibility?",
    )
    narrow_procedural_task: bool = Field(
        default=False,
        description="Does it only perform a narrow procedural or preparatory task, improve a "
        "completed human activity, or detect decision patterns without replacing human "
        "assessment (EU AI Act Art. 6(3))?",
    )
    biometric_infers_sensitive_traits: bool = Field(
        default=False,
        description="Does the biometric categorisation infer race, political opinions, trade union "
        "membership, religious or philosophical beliefs, sex life or sexual orientation?",
    )
    personal_data: bool = Field(default=False, description="Does it process personal data?")
    profiling: bool = Field(
        default=False,
        description="Does it evaluate or predict personal aspects of people (profiling)?",
    )
    solely_automated_decision_with_significant_effect: bool = Field(
        default=False,
        description="Does it take decisions with legal or similarly significant effects on people "
        "without meaningful human review?",
    )
    sensitive_data: bool = Field(
        default=False,
        description="Does it use sensitive data (health, ethnicity, religion, sexual orientation, "
        "biometrics, precise location, financial account data)?",
    )
    large_scale: bool = Field(
        default=False, description="Does it process data about a large number of people?"
    )
    systematic_monitoring: bool = Field(
        default=False,
        description="Does it systematically monitor people (e.g. tracking behaviour across sites, "
        "apps or places)?",
    )
    minors_targeted: bool = Field(default=False, description="Does it target children (under 18)?")
    sells_or_shares_personal_data: bool = Field(
        default=False,
        description="Is personal data sold or shared with third parties, including for "
        "cross-context behavioural advertising (e.g. custom audiences on ad platforms)?",
    )

    @field_validator("ai_kind", "uses", mode="after")
    @classmethod
    def _dedupe(cls, values: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(dict.fromkeys(values))

    @field_validator("jurisdictions", mode="before")
    @classmethod
    def _norway_is_not_false(cls, values: Any) -> Any:
        # YAML 1.1 (PyYAML) reads an unquoted NO, Norway's code, as false.
        if isinstance(values, list | tuple):
            return [("NO" if v is False else v) for v in values]
        return values

    @field_validator("jurisdictions", mode="after")
    @classmethod
    def _known_jurisdictions(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(normalise_jurisdiction(v) for v in values))

    def resolved(self) -> tuple[RiskAnswers, tuple[str, ...]]:
        """The answers the rules see, and the keys of answers ignored because they do not apply.

        Implied answers are filled in first (profiling, sensitive data or selling data implies
        personal data; image, audio or video generation implies synthetic media; a chatbot
        interacts with people); then the answer to each question whose ``show_if`` does not hold
        is reset to its default.
        """
        # Imported here: the questions are derived from this model's fields.
        from steward.core.risk._questions import questions

        data = self.model_dump()
        data["personal_data"] = any(data[k] for k in IMPLY_PERSONAL_DATA)
        data["generates_synthetic_media"] = data["generates_synthetic_media"] or any(
            k in self.ai_kind for k in SYNTHETIC_MEDIA_KINDS
        )
        data["interacts_with_people"] = (
            data["interacts_with_people"] or AiKind.CHATBOT in self.ai_kind
        )
        ignored: list[str] = []
        for question in questions():
            if not question.applies(data) and data[question.key] != question.default:
                data[question.key] = question.default
                ignored.append(question.key)
        return RiskAnswers.model_validate(data), tuple(ignored)

    def facts(self) -> dict[str, Any]:
        """These answers as JSON values plus the derived facts a rule condition may use."""
        data = self.model_dump(mode="json")
        places = set(self.jurisdictions)
        data["in_eu"] = "EU" in places or bool(places & EU_MEMBER_STATES)
        data["in_eea"] = data["in_eu"] or bool(places & EEA_NON_EU)
        data["in_uk"] = bool(places & {"UK", "GB"})
        data["in_us"] = any(p == "US" or p.startswith("US-") for p in places)
        data["generative"] = self.generates_synthetic_media or any(
            k.value.startswith("generative_") for k in self.ai_kind
        )
        return data


DERIVED_FACTS = ("in_eu", "in_eea", "in_uk", "in_us", "generative")


def answers_from_mapping(data: Any) -> RiskAnswers:
    """Validate an answers document; raise :class:`InvalidAnswers` naming the first bad field."""
    if not isinstance(data, Mapping):
        raise InvalidAnswers("the answers must be a mapping of question keys to answers")
    try:
        return RiskAnswers.model_validate(dict(data))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "answers"
        if first["type"] == "extra_forbidden":
            raise InvalidAnswers(f"unknown question {where!r}") from None
        if first["type"] == "missing":
            raise InvalidAnswers(f"missing answer {where!r}") from None
        message = str(first["msg"]).removeprefix("Value error, ")
        given = first.get("input")
        if isinstance(given, str | int | float) and repr(given) not in message:
            message = f"{message} (got {given!r})"
        raise InvalidAnswers(f"invalid answer {where!r}: {message}") from None
