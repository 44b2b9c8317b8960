"""The questionnaire as a form: one question per answer, some shown only given other answers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any, Literal, get_args, get_origin

from steward.core.risk._answers import RiskAnswers
from steward.core.risk._vocabulary import ANNEX_III_USES, SYNTHETIC_MEDIA_KINDS, AiKind, Use


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
