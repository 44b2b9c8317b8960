"""Risk classification of an AI system used in marketing, as pure functions.

A system is described by :class:`RiskAnswers`, the answers to a short questionnaire (see
:func:`questions`; a question may only apply given other answers, e.g. whether a synthetic image
depicts real people is asked only when the system generates synthetic media). :func:`classify`
evaluates a :class:`RuleSet` against them and returns a :class:`Classification`:

- ``tier``: the EU AI Act tier, the highest of the tiers set by the rules that fired
  (prohibited > high > limited > minimal; minimal when none set one, e.g. outside the EU).
- ``reasons``: one sentence per rule that fired, naming its article, most severe first.
- ``obligations``: what the answering party must do, each citing its source, with the date it
  applies from and whether it is in force on ``today``; ``other_party_obligations`` are those that
  fall on the other party (a deployer's vendor, say), useful for due diligence. An obligation's
  ``party`` is ``provider``, ``deployer`` or ``both`` (privacy and consumer law bind whoever
  processes the data or publishes the content, whatever its AI Act role); its ``stage`` is the
  lifecycle gate by which it must be met: ``pilot`` (before the system affects any real person)
  or ``production`` (before it is placed on the market or rolled out generally).
- ``risk_score``: ``impact × likelihood``, each 1–5, so 1–25, for ranking systems:

  * **impact** (how badly people can be hurt) is the highest ``impact`` among the rules that
    fired, 1 when none did. The built-in rules use 5 for prohibited practices and solely automated
    decisions with legal or similarly significant effects, 4 for Annex III uses, sensitive data and
    children, 3 for profiling, deepfakes and consumer-deception risks, 2 for ordinary personal data
    and transparency duties, 1 for AI literacy.
  * **likelihood** (how likely and how widely harm happens) is 1 plus one for each exposure factor
    present, capped at 5: large scale; direct interaction with people; no human in the loop (a
    solely automated significant decision, or public-interest text published without editorial
    review); personal data sold or shared; children targeted.

Answers to questions that do not apply are ignored (reported as ``ignored_answers``), and some
answers imply others (profiling implies personal data); see :meth:`RiskAnswers.resolved`.

Rules are data (YAML shipped in :mod:`steward.rules`): each has an ``id``, a CEL ``condition`` over
the answers (never Python ``eval``), a ``result`` (tier, impact, reason, obligation ids), a
``citation`` and an ``applies_from`` date, where the word ``annex_iii`` stands for the date EU AI
Act Annex III obligations apply, passed in by the caller from settings. Besides the answers, a
condition may use the derived facts ``in_eu``, ``in_eea``, ``in_uk``, ``in_us`` and ``generative``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from typing import Any, Literal, get_args, get_origin

import celpy
import celpy.evaluation
from celpy import celtypes
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

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
IMPLY_PERSONAL_DATA = (
    "personal_data",
    "profiling",
    "sensitive_data",
    "sells_or_shares_personal_data",
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


# --- questions --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShowIf:
    """A question applies when answer ``key`` is true (yes/no) or contains any of ``any_of``."""

    key: str
    any_of: tuple[Any, ...] = (True,)

    def holds(self, answers: Mapping[str, Any]) -> bool:
        value = answers.get(self.key)
        if isinstance(value, list | tuple):
            return any(str(v) in {str(a) for a in self.any_of} for v in value)
        return value in self.any_of

    def cel(self) -> str:
        if self.any_of == (True,):
            return self.key
        choices = ", ".join(f'"{a}"' for a in self.any_of)
        return f"{self.key}.exists(x, x in [{choices}])"


_SHOW_IF: dict[str, tuple[ShowIf, ...]] = {
    "depicts_real_people_or_places": (
        ShowIf("generates_synthetic_media"),
        ShowIf("ai_kind", tuple(k.value for k in SYNTHETIC_MEDIA_KINDS)),
    ),
    "public_interest_text": (ShowIf("ai_kind", (AiKind.GENERATIVE_TEXT.value,)),),
    "human_editorial_review": (ShowIf("public_interest_text"),),
    "narrow_procedural_task": (ShowIf("uses", tuple(u.value for u in ANNEX_III_USES)),),
    "biometric_infers_sensitive_traits": (ShowIf("uses", (Use.BIOMETRIC_CATEGORISATION.value,)),),
    "solely_automated_decision_with_significant_effect": (ShowIf("profiling"),),
}

QuestionType = Literal["text", "choice", "multi_choice", "boolean", "jurisdictions"]


@dataclass(frozen=True)
class Question:
    """One question of the form; it applies when any of ``show_if`` holds (always, when empty)."""

    key: str
    text: str
    type: QuestionType
    choices: tuple[str, ...]
    default: Any
    show_if: tuple[ShowIf, ...] = ()

    def applies(self, answers: Mapping[str, Any]) -> bool:
        return not self.show_if or any(s.holds(answers) for s in self.show_if)

    def to_dict(self) -> dict[str, Any]:
        default = list(self.default) if isinstance(self.default, tuple) else self.default
        return {
            "key": self.key,
            "text": self.text,
            "type": self.type,
            "choices": list(self.choices),
            "default": default.value if isinstance(default, StrEnum) else default,
            "show_if": " || ".join(s.cel() for s in self.show_if) or None,
            "depends_on": [{"key": s.key, "any_of": list(s.any_of)} for s in self.show_if],
        }


@cache
def questions() -> tuple[Question, ...]:
    """Every question, in form order; a question's dependencies come before it."""
    result = []
    for key, info in RiskAnswers.model_fields.items():
        annotation = info.annotation
        inner = get_args(annotation)[0] if get_origin(annotation) is tuple else annotation
        enum_choices = (
            tuple(m.value for m in inner)
            if isinstance(inner, type) and issubclass(inner, StrEnum)
            else ()
        )
        kind: QuestionType
        if key == "jurisdictions":
            kind = "jurisdictions"
        elif annotation is bool:
            kind = "boolean"
        elif get_origin(annotation) is tuple:
            kind = "multi_choice"
        else:
            kind = "choice" if enum_choices else "text"
        default = None if info.is_required() else info.default
        text = info.description or key
        result.append(Question(key, text, kind, enum_choices, default, _SHOW_IF.get(key, ())))
    return tuple(result)


def applicable_questions(partial: Mapping[str, Any]) -> list[Question]:
    """The questions that apply given partial answers (a form being filled in), in order."""
    seen: dict[str, Any] = {}
    shown = []
    for question in questions():
        if question.applies(seen):
            shown.append(question)
            seen[question.key] = partial.get(question.key, question.default)
        else:
            seen[question.key] = question.default
    return shown


# --- conditions -------------------------------------------------------------------------------

_MACROS = frozenset({"all", "exists", "exists_one", "map", "filter"})


@cache
def _environment() -> celpy.Environment:
    return celpy.Environment()


def _names(tree: Any) -> tuple[set[str], set[str]]:
    """The variables a CEL parse tree reads (less those macros bind) and the functions it calls."""
    names: set[str] = set()
    bound: set[str] = set()
    calls: set[str] = set()
    for node in tree.iter_subtrees():
        if node.data == "ident":
            names.add(str(node.children[0]))
        elif node.data == "ident_arg":
            calls.add(str(node.children[0]))
        elif node.data == "member_dot_arg":
            method = str(node.children[1])
            exprlist = node.children[2] if len(node.children) > 2 else None
            if method not in _MACROS:
                calls.add(method)
            elif exprlist is not None and exprlist.children:
                first = exprlist.children[0]
                bound |= {str(n.children[0]) for n in first.iter_subtrees() if n.data == "ident"}
    return names - bound, calls


def _first_line(exc: BaseException) -> str:
    """A CEL error on one line, without celpy's dump of the whole activation."""
    text = str(exc.args[0]) if exc.args else type(exc).__name__
    return text.splitlines()[0].split(" (in activation")[0] if text else type(exc).__name__


@dataclass(frozen=True)
class Condition:
    """A compiled CEL expression over :meth:`RiskAnswers.facts`, true or false."""

    source: str
    program: Any

    def evaluate(self, activation: Any) -> bool:
        value = self.program.evaluate(activation)
        if isinstance(value, Exception) or not isinstance(value, celtypes.BoolType):
            raise RuleError(f"condition {self.source!r} gave {value!r}, not true or false")
        return bool(value)


@cache
def _trial_activations() -> tuple[Any, ...]:
    """Two extreme answer sets every condition must evaluate on: all defaults and all yes."""
    low = RiskAnswers(name="trial")
    high = {k: True for k, q in RiskAnswers.model_fields.items() if q.annotation is bool}
    high.update(ai_kind=tuple(AiKind), uses=tuple(Use), jurisdictions=("EU", "UK", "US-CA"))
    answers = (low, RiskAnswers(name="trial", **high))
    return tuple(celpy.json_to_cel(a.facts()) for a in answers)


@cache
def compile_condition(source: str) -> Condition:
    """Compile a CEL condition, checking its names and that it yields true or false."""
    env = _environment()
    try:
        tree = env.compile(source)
    except Exception as exc:  # celpy raises CELParseError with a multi-line caret display
        raise RuleError(f"condition is not valid CEL: {_first_line(exc)}") from None
    names, calls = _names(tree)
    unknown = sorted(names - set(RiskAnswers.model_fields) - set(DERIVED_FACTS))
    if unknown:
        raise RuleError(f"condition uses unknown answer(s): {', '.join(unknown)}")
    unknown = sorted(calls - set(celpy.evaluation.base_functions))
    if unknown:
        raise RuleError(f"condition calls unknown function(s): {', '.join(unknown)}")
    condition = Condition(source, env.program(tree))
    for activation in _trial_activations():
        try:
            condition.evaluate(activation)
        except celpy.CELEvalError as exc:
            raise RuleError(f"condition {source!r} fails to evaluate: {_first_line(exc)}") from None
    return condition


# --- rules ------------------------------------------------------------------------------------

RuleId = str
AppliesFrom = date | Literal["annex_iii"]
_ID = r"^[a-z0-9_]+(\.[a-z0-9_]+)*$"


class Citation(BaseModel):
    """Where an obligation or rule comes from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    instrument: str = Field(min_length=1)
    article: str = Field(min_length=1)
    url: str = Field(pattern=r"^https://\S+$")


class Obligation(BaseModel):
    """Something a party must do, once a rule that names it has fired."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: RuleId = Field(pattern=_ID)
    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    party: Party
    stage: Stage
    applies_from: AppliesFrom
    citation: Citation


class RuleResult(BaseModel):
    """What a rule contributes when it fires."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tier: Tier | None = None
    impact: int | None = Field(default=None, ge=1, le=5)
    reason: str = Field(min_length=1)
    obligations: tuple[RuleId, ...] = ()


class Rule(BaseModel):
    """A risk rule: when ``condition`` holds for the answers, ``result`` applies."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: RuleId = Field(pattern=_ID)
    title: str = Field(min_length=1)
    condition: str = Field(min_length=1)
    result: RuleResult
    citation: Citation
    applies_from: AppliesFrom
    enabled: bool = True
    _compiled: Condition = PrivateAttr()

    @field_validator("condition", mode="after")
    @classmethod
    def _compiles(cls, source: str) -> str:
        try:
            compile_condition(source)
        except RuleError as exc:
            raise ValueError(str(exc)) from None
        return source

    def model_post_init(self, context: Any, /) -> None:
        self._compiled = compile_condition(self.condition)  # cached: compiled by _compiles

    def matches(self, activation: Any) -> bool:
        """Whether the rule fires for the CEL activation of some answers' facts."""
        try:
            return self.enabled and self._compiled.evaluate(activation)
        except (RuleError, celpy.CELEvalError) as exc:
            raise RuleError(f"rule {self.id!r}: {_first_line(exc)}", rule_id=self.id) from None


class RuleFile(BaseModel):
    """The contents of one rule file: obligations and rules, each with a unique id."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    obligations: tuple[Obligation, ...] = ()
    rules: tuple[Rule, ...] = ()

    @field_validator("obligations", "rules", mode="after")
    @classmethod
    def _unique_ids(cls, items: tuple[Any, ...]) -> tuple[Any, ...]:
        ids = [item.id for item in items]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate id(s): {', '.join(duplicates)}")
        return items


@dataclass(frozen=True)
class RuleSet:
    """Rules in evaluation order and the obligations they may name, every reference checked."""

    rules: tuple[Rule, ...]
    obligations: Mapping[RuleId, Obligation]

    def __post_init__(self) -> None:
        for rule in self.rules:
            for ref in rule.result.obligations:
                if ref not in self.obligations:
                    raise RuleError(
                        f"rule {rule.id!r} names unknown obligation {ref!r}", rule_id=rule.id
                    )

    @classmethod
    def from_files(cls, files: Iterable[RuleFile]) -> RuleSet:
        """Merge rule files in order: a later rule or obligation replaces an earlier one by id."""
        rules: dict[str, Rule] = {}
        obligations: dict[str, Obligation] = {}
        for file in files:
            rules.update((r.id, r) for r in file.rules)
            obligations.update((o.id, o) for o in file.obligations)
        return cls(rules=tuple(rules.values()), obligations=obligations)

    def rule(self, rule_id: str) -> Rule:
        """The rule with this id (KeyError when there is none)."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


def resolve_date(value: AppliesFrom, *, annex_iii_applies_from: date) -> date:
    """A rule's date, with ``annex_iii`` replaced by the configured Annex III date."""
    return value if isinstance(value, date) else annex_iii_applies_from


def rule_matches(rule: Rule, answers: RiskAnswers) -> bool:
    """Whether one rule fires for (resolved) answers; handy for tests and explanations."""
    resolved, _ = answers.resolved()
    return rule.matches(celpy.json_to_cel(resolved.facts()))


def _exposure(answers: RiskAnswers) -> list[str]:
    """The likelihood factors present in resolved answers (see the module docstring)."""
    factors = {
        "large scale": answers.large_scale,
        "direct interaction with people": answers.interacts_with_people,
        "no human in the loop": answers.solely_automated_decision_with_significant_effect
        or (answers.public_interest_text and not answers.human_editorial_review),
        "personal data sold or shared": answers.sells_or_shares_personal_data,
        "children targeted": answers.minors_targeted,
    }
    return [name for name, present in factors.items() if present]


# --- classification ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """A rule that fired, with its reason and dates resolved."""

    rule_id: str
    title: str
    tier: Tier | None
    impact: int | None
    reason: str
    citation: Citation
    applies_from: date
    in_force: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "title": self.title,
            "tier": self.tier.value if self.tier else None,
            "impact": self.impact,
            "reason": self.reason,
            "citation": self.citation.model_dump(),
            "applies_from": self.applies_from.isoformat(),
            "in_force": self.in_force,
        }


@dataclass(frozen=True)
class ObligationDue:
    """An obligation that applies to this system, with its date resolved and the rules behind it."""

    obligation: Obligation
    applies_from: date
    in_force: bool
    rules: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        ob = self.obligation
        return {
            "id": ob.id,
            "title": ob.title,
            "description": ob.description,
            "citation": ob.citation.model_dump(),
            "applies_from": self.applies_from.isoformat(),
            "party": ob.party.value,
            "stage": ob.stage.value,
            "in_force": self.in_force,
            "rules": list(self.rules),
        }


@dataclass(frozen=True)
class Classification:
    """The outcome of :func:`classify`, computed once; :meth:`to_dict` gives JSON-ready data."""

    name: str
    role: Party
    tier: Tier
    findings: tuple[Finding, ...]
    obligations: tuple[ObligationDue, ...]
    other_party_obligations: tuple[ObligationDue, ...]
    impact: int
    likelihood: int
    likelihood_factors: tuple[str, ...]
    ignored_answers: tuple[str, ...]
    as_of: date
    annex_iii_applies_from: date

    @property
    def reasons(self) -> list[str]:
        return [f.reason for f in self.findings]

    @property
    def rules_fired(self) -> list[str]:
        return [f.rule_id for f in self.findings]

    @property
    def risk_score(self) -> int:
        return self.impact * self.likelihood

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role.value,
            "tier": self.tier.value,
            "reasons": self.reasons,
            "obligations": [o.to_dict() for o in self.obligations],
            "other_party_obligations": [o.to_dict() for o in self.other_party_obligations],
            "risk_score": self.risk_score,
            "impact": self.impact,
            "likelihood": self.likelihood,
            "likelihood_factors": list(self.likelihood_factors),
            "rules_fired": self.rules_fired,
            "findings": [f.to_dict() for f in self.findings],
            "ignored_answers": list(self.ignored_answers),
            "as_of": self.as_of.isoformat(),
            "annex_iii_applies_from": self.annex_iii_applies_from.isoformat(),
        }


def classify(
    answers: RiskAnswers,
    rules: RuleSet,
    *,
    annex_iii_applies_from: date = DEFAULT_ANNEX_III_APPLIES_FROM,
    today: date | None = None,
) -> Classification:
    """Classify a system: evaluate every enabled rule on its resolved answers.

    ``annex_iii_applies_from`` replaces ``annex_iii`` in rule and obligation dates; ``today``
    (default: the current date) decides which obligations are already ``in_force``.
    """
    as_of = today or date.today()
    resolved, ignored = answers.resolved()
    activation = celpy.json_to_cel(resolved.facts())

    def when(value: AppliesFrom) -> date:
        return resolve_date(value, annex_iii_applies_from=annex_iii_applies_from)

    findings = []
    for rule in rules.rules:
        if rule.matches(activation):
            start = when(rule.applies_from)
            reason = rule.result.reason.replace("{applies_from}", start.isoformat())
            findings.append(
                Finding(
                    rule.id,
                    rule.title,
                    rule.result.tier,
                    rule.result.impact,
                    reason,
                    rule.citation,
                    start,
                    start <= as_of,
                )
            )
    findings.sort(key=lambda f: -(f.tier.rank if f.tier else -1))

    due: dict[str, list[str]] = {}
    for finding in findings:
        for ref in rules.rule(finding.rule_id).result.obligations:
            due.setdefault(ref, []).append(finding.rule_id)
    mine, theirs = [], []
    for ref, rule_ids in due.items():
        ob = rules.obligations[ref]
        start = when(ob.applies_from)
        item = ObligationDue(ob, start, start <= as_of, tuple(rule_ids))
        bears = Party.BOTH in (ob.party, resolved.role) or ob.party == resolved.role
        (mine if bears else theirs).append(item)

    factors = _exposure(resolved)
    return Classification(
        name=resolved.name,
        role=resolved.role,
        tier=max((f.tier for f in findings if f.tier), key=lambda t: t.rank, default=Tier.MINIMAL),
        findings=tuple(findings),
        obligations=tuple(mine),
        other_party_obligations=tuple(theirs),
        impact=max((f.impact for f in findings if f.impact), default=1),
        likelihood=min(5, 1 + len(factors)),
        likelihood_factors=tuple(factors),
        ignored_answers=ignored,
        as_of=as_of,
        annex_iii_applies_from=annex_iii_applies_from,
    )


__all__ = [
    "ANNEX_III",
    "DEFAULT_ANNEX_III_APPLIES_FROM",
    "AiKind",
    "Citation",
    "Classification",
    "Condition",
    "Finding",
    "InvalidAnswers",
    "Obligation",
    "ObligationDue",
    "Party",
    "Question",
    "RiskAnswers",
    "Rule",
    "RuleError",
    "RuleFile",
    "RuleResult",
    "RuleSet",
    "ShowIf",
    "Stage",
    "Tier",
    "Use",
    "answers_from_mapping",
    "applicable_questions",
    "classify",
    "compile_condition",
    "normalise_jurisdiction",
    "questions",
    "resolve_date",
    "rule_matches",
]
