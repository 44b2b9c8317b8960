"""Rule conditions: CEL expressions over the answers' facts, checked and compiled once.

The CEL machinery is shared (:mod:`steward.core.cel`); this module supplies what is particular to
risk rules: the names a condition may read (the answers and the derived facts), the two extreme
answer sets every condition must evaluate on, and :class:`RuleError` for every problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from steward.core import cel
from steward.core.risk._answers import DERIVED_FACTS, RiskAnswers
from steward.core.risk._vocabulary import AiKind, RuleError, Use

_first_line = cel.first_line


@dataclass(frozen=True)
class Condition(cel.Condition):
    """A compiled CEL expression over :meth:`RiskAnswers.facts`, true or false."""

    def evaluate(self, activation: Any) -> bool:
        try:
            return super().evaluate(activation)
        except cel.CelError as exc:
            raise RuleError(str(exc)) from None


@cache
def _trial_activations() -> tuple[Any, ...]:
    """Two extreme answer sets every condition must evaluate on: all defaults and all yes."""
    low = RiskAnswers(name="trial")
    high = {k: True for k, q in RiskAnswers.model_fields.items() if q.annotation is bool}
    high.update(ai_kind=tuple(AiKind), uses=tuple(Use), jurisdictions=("EU", "UK", "US-CA"))
    answers = (low, RiskAnswers(name="trial", **high))
    return tuple(cel.activation(a.facts()) for a in answers)


@cache
def compile_condition(source: str) -> Condition:
    """Compile a CEL condition, checking its names and that it yields true or false."""
    try:
        compiled = cel.compile_condition(
            source,
            names=(*RiskAnswers.model_fields, *DERIVED_FACTS),
            trials=_trial_activations(),
        )
    except cel.CelError as exc:
        raise RuleError(_message(exc)) from None
    return Condition(compiled.source, compiled.program, compiled.names, compiled.paths)


def _message(exc: cel.CelError) -> str:
    if exc.reason == "unknown_names":
        return f"condition uses unknown answer(s): {', '.join(exc.items)}"
    if exc.reason == "unknown_functions":
        return f"condition calls unknown function(s): {', '.join(exc.items)}"
    if exc.reason == "syntax":
        return f"condition {exc}"
    return str(exc)
