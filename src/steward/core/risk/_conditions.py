"""Rule conditions: CEL expressions over the answers' facts, checked and compiled once."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import celpy
import celpy.evaluation
from celpy import celtypes

from steward.core.risk._answers import DERIVED_FACTS, RiskAnswers
from steward.core.risk._vocabulary import AiKind, RuleError, Use

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
