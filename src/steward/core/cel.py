"""CEL (the Common Expression Language) for rules kept as data: compile once, check, evaluate.

Risk rules and policy packs both hold conditions written in CEL and evaluated by ``cel-python``
(never Python ``eval``). This module is what they share:

- :func:`compile_expression` parses a source once and checks it statically: the top-level names
  it reads must be among ``names``, the functions it calls must exist, and ``settings.x.y`` style
  paths under a root given in ``paths`` must name a known entry. It returns an
  :class:`Expression` that knows the names and dotted paths it reads and, where the parse tree
  alone tells, whether its value is a boolean (:attr:`Expression.kind`).
- :func:`compile_condition` also requires that the value may be true or false (rejecting
  ``1 + 2``, ``size(x)``, a list literal...) and, given trial activations, evaluates it on each.
- :func:`activation` turns JSON-like facts into CEL values.

Numbers compare across ``int`` and ``double`` (``1 < 1.5``, ``n >= 30.0``), as the CEL
specification now allows; cel-python on its own rejects mixed comparisons. Every problem is a
:class:`CelError` with a one-line message.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from functools import cache, lru_cache
from typing import Any, Literal

import celpy
import celpy.evaluation
from celpy import celtypes

MACROS = frozenset({"all", "exists", "exists_one", "map", "filter"})
"""Method-like macros; the first argument of each is a bound variable, not a fact."""

_BOOL_METHODS = frozenset({"all", "exists", "exists_one", "startsWith", "endsWith", "contains",
                           "matches"})
_BOOL_FUNCTIONS = frozenset({"has", "bool", "matches", "contains", "startsWith", "endsWith"})
_OTHER_FUNCTIONS = frozenset({"size", "int", "uint", "double", "string", "bytes", "duration",
                              "timestamp", "type"})
_OTHER_METHODS = frozenset({"map", "filter", "size"}) | _OTHER_FUNCTIONS
_EXTRA_FUNCTIONS = frozenset({"has", "dyn"})

Kind = Literal["bool", "other", "unknown"]


class CelError(ValueError):
    """A CEL expression is malformed, reads an unknown name, or gave the wrong kind of value.

    ``reason`` says which (``syntax``, ``unknown_names``, ``unknown_functions``, ``unknown_path``,
    ``not_bool``, ``trial``) and ``items`` lists the offending names, so callers can word their
    own messages.
    """

    def __init__(self, message: str, *, reason: str = "", items: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.reason = reason
        self.items = items


def first_line(exc: BaseException) -> str:
    """A CEL error on one line, without celpy's dump of the whole activation."""
    text = str(exc.args[0]) if exc.args else type(exc).__name__
    return text.splitlines()[0].split(" (in activation")[0] if text else type(exc).__name__


# -- numbers compare across int and double -------------------------------------------------------

_NUMBERS = (celtypes.IntType, celtypes.UintType, celtypes.DoubleType)


def _numeric(op: Callable[[Any, Any], bool], fallback: Callable[[Any, Any], Any]) -> Any:
    def compare(a: Any, b: Any) -> Any:
        if (isinstance(a, _NUMBERS) and isinstance(b, _NUMBERS)
                and not isinstance(a, celtypes.BoolType) and not isinstance(b, celtypes.BoolType)
                and type(a) is not type(b)):
            return celtypes.BoolType(op(float(a), float(b)))
        if op in (operator.eq, operator.ne) and (a is None or b is None):
            return celtypes.BoolType(op(a is None, b is None))  # null equals only null
        return fallback(a, b)

    return compare


FUNCTIONS: dict[str, Any] = {
    "_<_": _numeric(operator.lt, celpy.evaluation.bool_lt),
    "_<=_": _numeric(operator.le, celpy.evaluation.bool_le),
    "_>_": _numeric(operator.gt, celpy.evaluation.bool_gt),
    "_>=_": _numeric(operator.ge, celpy.evaluation.bool_ge),
    "_==_": _numeric(operator.eq, celpy.evaluation.bool_eq),
    "_!=_": _numeric(operator.ne, celpy.evaluation.bool_ne),
}
"""Operator overrides every program gets: numbers compare across types, and ``x == null`` is
false (not an error) for any non-null ``x``."""


# -- reading a parse tree -------------------------------------------------------------------------

def _token(node: Any) -> str:
    return str(node.children[0])


def names_and_calls(tree: Any) -> tuple[set[str], set[str]]:
    """The variables a CEL parse tree reads (less those macros bind) and the functions it calls."""
    names: set[str] = set()
    bound: set[str] = set()
    calls: set[str] = set()
    for node in tree.iter_subtrees():
        if node.data == "ident":
            names.add(_token(node))
        elif node.data == "ident_arg":
            calls.add(_token(node))
        elif node.data == "member_dot_arg":
            method = str(node.children[1])
            exprlist = node.children[2] if len(node.children) > 2 else None
            if method not in MACROS:
                calls.add(method)
            elif exprlist is not None and exprlist.children:
                first = exprlist.children[0]
                bound |= {_token(n) for n in first.iter_subtrees() if n.data == "ident"}
    return names - bound, calls


def path_of(node: Any) -> str | None:
    """``a.b.c`` for a ``member``/``member_dot`` chain rooted at an identifier, else None."""
    if node.data == "member_dot":
        head = path_of(node.children[0])
        return None if head is None else f"{head}.{node.children[1]}"
    if node.data in ("member", "primary") and len(node.children) == 1:
        return path_of(node.children[0])
    if node.data == "ident":
        return _token(node)
    return None


def dotted_paths(tree: Any) -> set[str]:
    """Every dotted path the tree reads (``system.tier``, ``settings.fairness``, ``system``)."""
    found: set[str] = set()
    for node in tree.iter_subtrees():
        if node.data in ("member_dot", "ident"):
            path = path_of(node)
            if path is not None:
                found.add(path)
    return found


def value_kind(tree: Any) -> Kind:
    """Whether the expression's value is a boolean, is not, or cannot be told from the tree."""
    node = tree
    while True:
        data, children = node.data, node.children
        if data == "expr" and len(children) == 3:
            kinds = {value_kind(children[1]), value_kind(children[2])}
            return "other" if "other" in kinds else ("bool" if kinds == {"bool"} else "unknown")
        if data in ("conditionalor", "conditionaland", "relation") and len(children) == 2:
            return "bool"
        if data in ("addition", "multiplication") and len(children) == 2:
            return "other"
        if data == "unary" and children and getattr(children[0], "data", None) == "unary_not":
            return "bool"
        if data == "unary" and children and getattr(children[0], "data", None) == "unary_neg":
            return "other"
        if data == "member_dot_arg":
            method = str(children[1])
            if method in _BOOL_METHODS:
                return "bool"
            return "other" if method in _OTHER_METHODS else "unknown"
        if data == "ident_arg":
            name = _token(node)
            if name in _BOOL_FUNCTIONS:
                return "bool"
            return "other" if name in _OTHER_FUNCTIONS else "unknown"
        if data == "literal":
            return "bool" if _token(node) in ("true", "false") else "other"
        if data in ("list_lit", "map_lit"):
            return "other"
        if data in ("ident", "member_dot", "member_index", "member_object", "dot_ident",
                    "dot_ident_arg"):
            return "unknown"
        if data == "paren_expr":
            node = children[0]
            continue
        if len(children) == 1 and hasattr(children[0], "data"):
            node = children[0]
            continue
        return "unknown"


# -- compiling -------------------------------------------------------------------------------------

def _parser_cache() -> str | None:
    """Where cel-python's parse tables are kept between processes: a file in the user's own
    cache folder (``$XDG_CACHE_HOME/steward`` or ``~/.cache/steward``, made private), or None
    where there is none to write. Lark checks the file against the grammar, its options and
    its own version before trusting it."""
    import os
    from pathlib import Path

    import lark

    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "steward"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    if folder.stat().st_uid != os.getuid() or not os.access(folder, os.W_OK):
        return None
    return str(folder / f"cel-parser-lark-{lark.__version__}.cache")


def _seed_parser(tree_class: type) -> None:
    """Build cel-python's parser from a cache of its LALR tables.

    Why by hand: cel-python builds its Lark parser from the grammar in every process, which is
    about half a second of every command that judges a policy, and offers no cache; Lark does.
    This builds the same parser, with the same options, plus ``cache=``, and hands it to
    cel-python (its parser is a class-level singleton, :attr:`CELParser.CEL_PARSER`). If
    cel-python changes how it builds it, nothing breaks: it is only seeded while empty.
    """
    import re
    from pathlib import Path

    from celpy import celparser
    from lark import Lark

    if celparser.CELParser.CEL_PARSER is not None:
        return
    location = _parser_cache()
    if location is None:
        return
    grammar = (Path(celparser.__file__).parent / "cel.lark").read_text()
    celparser.CELParser.CEL_PARSER = Lark(
        grammar, parser="lalr", start="expr", debug=True, g_regex_flags=re.M,
        lexer_callbacks={"IDENT": celparser.CELParser.ambiguous_literals},
        propagate_positions=True, maybe_placeholders=False, priority="invert",
        tree_class=tree_class, cache=location)


@cache
def environment() -> celpy.Environment:
    """The one CEL environment (it holds no state between programs)."""
    _seed_parser(celpy.InterpretedRunner.tree_node_class)
    return celpy.Environment(runner_class=celpy.InterpretedRunner)  # interpreted: no exec


@dataclass(frozen=True)
class Expression:
    """A compiled CEL expression, with the names and dotted paths it reads."""

    source: str
    program: Any = field(repr=False, compare=False)
    names: frozenset[str] = frozenset()
    paths: frozenset[str] = frozenset()
    kind: Kind = "unknown"

    def evaluate(self, activation: Any) -> Any:
        """The CEL value, or raise :class:`celpy.CELEvalError` (also when celpy returns one)."""
        value = self.program.evaluate(activation)
        if isinstance(value, celpy.CELEvalError):
            raise value
        return value


@dataclass(frozen=True)
class Condition(Expression):
    """A compiled CEL expression that yields true or false."""

    kind: Kind = "bool"

    def evaluate(self, activation: Any) -> bool:  # type: ignore[override]
        value = self.program.evaluate(activation)
        if isinstance(value, celpy.CELEvalError):
            raise value
        if isinstance(value, Exception) or not isinstance(value, celtypes.BoolType):
            raise CelError(f"condition {self.source!r} gave {value!r}, not true or false",
                           reason="not_bool")
        return bool(value)


def _check_paths(found: Iterable[str], paths: Mapping[str, Collection[str]]) -> None:
    for root, known in paths.items():
        for path in sorted(found, key=lambda p: (-p.count("."), p)):
            if not path.startswith(root + "."):
                continue
            rest = path[len(root) + 1:]
            if not any(k == rest or k.startswith(rest + ".") or rest.startswith(k + ".")
                       for k in known):
                choices = ", ".join(sorted(known)) or "none defined"
                raise CelError(f"uses unknown {root} entry {path!r} (known: {choices})",
                               reason="unknown_path", items=(path,))


def compile_expression(
    source: str,
    *,
    names: Collection[str] | None = None,
    paths: Mapping[str, Collection[str]] | None = None,
    functions: Mapping[str, Any] | None = None,
) -> Expression:
    """Compile and statically check a CEL expression.

    Parameters
    ----------
    source
        The CEL text.
    names
        The top-level names it may read (``None``: any).
    paths
        For some roots, the dotted entries below them that exist: with
        ``{"settings": {"fairness.min_group_size"}}``, ``settings.fairness.min_group_size`` and
        ``settings.fairness`` pass but ``settings.fairness.max`` does not.
    functions
        Extra functions the programs may call, by name.
    """
    return _compile(source, Expression, names, paths, functions)


def compile_condition(
    source: str,
    *,
    names: Collection[str] | None = None,
    paths: Mapping[str, Collection[str]] | None = None,
    functions: Mapping[str, Any] | None = None,
    trials: Iterable[Any] = (),
) -> Condition:
    """Compile a CEL condition: checked as :func:`compile_expression`, and it must yield a bool.

    A condition whose value is plainly not a boolean (arithmetic, a literal, ``size()``...) is
    rejected here; one whose type depends on the facts (``system.customer_facing``) is checked
    when it runs. Each of ``trials`` (CEL activations) must evaluate to true or false.
    """
    condition = _compile(source, Condition, names, paths, functions)
    if condition.kind == "other":
        raise CelError(f"gives a value that is not true or false: {source!r}", reason="not_bool")
    for trial in trials:
        try:
            condition.evaluate(trial)
        except celpy.CELEvalError as exc:
            raise CelError(f"condition {source!r} fails to evaluate: {first_line(exc)}",
                           reason="trial") from None
    return condition


def _compile(
    source: str,
    cls: type[Expression],
    names: Collection[str] | None,
    paths: Mapping[str, Collection[str]] | None,
    functions: Mapping[str, Any] | None,
) -> Any:
    if not isinstance(source, str) or not source.strip():
        raise CelError("is empty", reason="syntax")
    tree = _parse(source)
    read, calls = names_and_calls(tree)
    if names is not None:
        unknown = sorted(read - set(names))
        if unknown:
            raise CelError(f"uses unknown name(s) {', '.join(unknown)} "
                           f"(known: {', '.join(sorted(names))})",
                           reason="unknown_names", items=tuple(unknown))
    extra = dict(functions or {})
    unknown = sorted(calls - set(celpy.evaluation.base_functions) - _EXTRA_FUNCTIONS - set(extra))
    if unknown:
        raise CelError(f"calls unknown function(s) {', '.join(unknown)}",
                       reason="unknown_functions", items=tuple(unknown))
    found = dotted_paths(tree)
    _check_paths(found, paths or {})
    program = _program(source) if not extra else environment().program(
        tree, functions={**FUNCTIONS, **extra})
    return cls(source, program, frozenset(read), frozenset(found), value_kind(tree))


@lru_cache(maxsize=4096)
def _parse(source: str) -> Any:
    try:
        return environment().compile(source)
    except Exception as exc:  # celpy raises CELParseError with a multi-line caret display
        line, column = getattr(exc, "line", None), getattr(exc, "column", None)
        where = f" (line {line}, column {column})" if line is not None and column else ""
        raise CelError(f"is not valid CEL: {first_line(exc).strip()}{where}",
                       reason="syntax") from None


@lru_cache(maxsize=4096)
def _program(source: str) -> Any:
    """One runnable program per source (programs hold no state between evaluations)."""
    return environment().program(_parse(source), functions=dict(FUNCTIONS))


# -- facts -----------------------------------------------------------------------------------------

def plain(value: Any) -> Any:
    """JSON-like Python values: mappings, lists, str, int, float, bool, None (dates as ISO text)."""
    if isinstance(value, Enum):
        return plain(value.value)
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [plain(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if isinstance(value, datetime | date):
        return value.isoformat()
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return plain(dump(mode="json"))
    raise CelError(f"{type(value).__name__} is not a JSON-like value")


def activation(facts: Mapping[str, Any]) -> Any:
    """CEL values for JSON-like facts (see :func:`plain`)."""
    return celpy.json_to_cel(plain(facts))


def nest(flat: Mapping[str, Any]) -> dict[str, Any]:
    """``{"a.b": 1, "a.c": 2}`` → ``{"a": {"b": 1, "c": 2}}`` (no name may prefix another)."""
    out: dict[str, Any] = {}
    for name in sorted(flat):
        node = out
        *heads, last = name.split(".")
        for head in heads:
            child = node.setdefault(head, {})
            if not isinstance(child, dict):
                raise CelError(f"{name!r} lies under {head!r}, which is a value")
            node = child
        if last in node:
            raise CelError(f"{name!r} is also the prefix of other entries")
        node[last] = flat[name]
    return out
