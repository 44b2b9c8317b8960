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

from steward.core.risk._answers import (
    DERIVED_FACTS,
    IMPLY_PERSONAL_DATA,
    RiskAnswers,
    answers_from_mapping,
)
from steward.core.risk._classify import (
    Classification,
    Finding,
    ObligationDue,
    classify,
)
from steward.core.risk._conditions import (
    Condition,
    compile_condition,
)
from steward.core.risk._questions import (
    Question,
    QuestionType,
    ShowIf,
    applicable_questions,
    questions,
)
from steward.core.risk._rules import (
    AppliesFrom,
    Citation,
    Obligation,
    Rule,
    RuleFile,
    RuleId,
    RuleResult,
    RuleSet,
    resolve_date,
    rule_matches,
)
from steward.core.risk._vocabulary import (
    ANNEX_III,
    ANNEX_III_USES,
    DEFAULT_ANNEX_III_APPLIES_FROM,
    EEA_NON_EU,
    EU_MEMBER_STATES,
    SYNTHETIC_MEDIA_KINDS,
    US_STATES,
    AiKind,
    InvalidAnswers,
    Party,
    RuleError,
    Stage,
    Tier,
    Use,
    normalise_jurisdiction,
)

__all__ = [
    "ANNEX_III",
    "ANNEX_III_USES",
    "DEFAULT_ANNEX_III_APPLIES_FROM",
    "DERIVED_FACTS",
    "EEA_NON_EU",
    "EU_MEMBER_STATES",
    "IMPLY_PERSONAL_DATA",
    "SYNTHETIC_MEDIA_KINDS",
    "US_STATES",
    "AiKind",
    "AppliesFrom",
    "Citation",
    "Classification",
    "Condition",
    "Finding",
    "InvalidAnswers",
    "Obligation",
    "ObligationDue",
    "Party",
    "Question",
    "QuestionType",
    "RiskAnswers",
    "Rule",
    "RuleError",
    "RuleFile",
    "RuleId",
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
