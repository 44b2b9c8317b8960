"""Risk classification as a use case: the rules in force, answers in, classification out.

The built-in rules ship in ``steward.rules``; an organisation adds or overrides rules with YAML
files in ``STEWARD_RULES_DIR`` (its ``risk/`` folder when there is one). Compiled rules are cached
per runtime.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from steward.config import Settings
from steward.core.risk import (
    Classification,
    InvalidAnswers,
    RiskAnswers,
    RuleSet,
    answers_from_mapping,
    applicable_questions,
    classify,
    questions,
)
from steward.errors import InvalidInput
from steward.rules.loader import load_risk_rules
from steward.services.runtime import Runtime, Unit


def organisation_rule_paths(settings: Settings) -> list[Path]:
    if settings.rules_dir is None:
        return []
    folder = settings.rules_dir / "risk"
    return [folder if folder.is_dir() else settings.rules_dir]


def rules_for(runtime: Runtime) -> RuleSet:
    return runtime.cached("risk_rules", lambda: load_risk_rules(
        extra_paths=organisation_rule_paths(runtime.settings)))


def parse_answers(data: Any) -> RiskAnswers:
    """Validate an answers document; one clear line on a bad answer."""
    try:
        return answers_from_mapping(data)
    except InvalidAnswers as exc:
        raise InvalidInput(str(exc)) from None


def classify_answers(runtime: Runtime, data: Any, *, today: date | None = None) -> Classification:
    """Classify answers with the rules in force (no record is written)."""
    return classify(parse_answers(data), rules_for(runtime),
                    annex_iii_applies_from=runtime.settings.annex_iii_applies_from, today=today)


def classify_in_unit(unit: Unit, data: Any) -> Classification:
    if unit.runtime is None:
        raise RuntimeError("a unit without its runtime cannot classify")
    return classify_answers(unit.runtime, data)


def question_list(partial: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The questionnaire; with partial answers, only the questions that apply."""
    chosen = questions() if partial is None else applicable_questions(partial)
    return [q.to_dict() for q in chosen]
