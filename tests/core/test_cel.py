"""The shared CEL layer: static checks, value kinds, numeric comparison, null, facts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import celpy
import pytest

from steward.core import cel


def _eval(source: str, facts: dict) -> object:
    return cel.compile_expression(source).evaluate(cel.activation(facts))


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("a < 1", "bool"), ("a && b", "bool"), ("!a", "bool"), ("a.exists(x, x)", "bool"),
        ("has(a.b)", "bool"), ("a.startsWith('x')", "bool"), ("(a || b)", "bool"),
        ("true", "bool"), ("a ? true : b < 2", "bool"),
        ("a + 1", "other"), ("1", "other"), ("'x'", "other"), ("[a]", "other"),
        ("{'k': 1}", "other"), ("size(a)", "other"), ("a.map(x, x)", "other"), ("-a", "other"),
        ("a ? 1 : true", "other"),
        ("a", "unknown"), ("a.b", "unknown"), ("a[0]", "unknown"), ("a ? b : c", "unknown"),
    ],
)
def test_value_kind(source: str, kind: str) -> None:
    assert cel.compile_expression(source).kind == kind


def test_names_paths_and_macro_variables() -> None:
    expr = cel.compile_expression("system.kinds.exists(k, k == settings.a.b) && x")
    assert expr.names == {"system", "settings", "x"}
    assert {"system.kinds", "settings.a.b", "settings.a"} <= expr.paths
    assert "k" not in expr.names


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("a +", "syntax"), ("", "syntax"), ("b == 1", "unknown_names"),
        ("a.launch()", "unknown_functions"), ("settings.x.y == 1", "unknown_path"),
        ("a + 1", "not_bool"),
    ],
)
def test_compile_condition_errors_say_why(source: str, reason: str) -> None:
    with pytest.raises(cel.CelError) as caught:
        cel.compile_condition(source, names=("a", "settings"), paths={"settings": ("x.z",)})
    assert caught.value.reason == reason
    assert "\n" not in str(caught.value)


def test_trials_must_evaluate() -> None:
    trial = cel.activation({"a": 1})
    cel.compile_condition("a == 1", trials=[trial])
    with pytest.raises(cel.CelError, match="fails to evaluate"):
        cel.compile_condition("a.b == 1", trials=[trial])


def test_numbers_compare_across_int_and_double_and_null_equals_only_null() -> None:
    assert bool(_eval("a < 1.5 && b >= 30 && c == 1", {"a": 1, "b": 30.0, "c": 1.0}))
    assert bool(_eval("a != null", {"a": 0.5}))
    assert not bool(_eval("a == null", {"a": 0.5}))
    assert bool(_eval("a == null", {"a": None}))
    with pytest.raises(celpy.CELEvalError):
        _eval("a < 1", {"a": "text"})


def test_a_condition_refuses_a_non_boolean_at_run_time() -> None:
    condition = cel.compile_condition("a")
    assert condition.evaluate(cel.activation({"a": True})) is True
    with pytest.raises(cel.CelError, match="not true or false"):
        condition.evaluate(cel.activation({"a": 3}))


def test_plain_and_nest() -> None:
    assert cel.plain({"d": date(2025, 1, 2), "t": (1, 2), "s": {2, 1}}) == {
        "d": "2025-01-02", "t": [1, 2], "s": [1, 2]}
    with pytest.raises(cel.CelError):
        cel.plain({"x": object()})
    assert cel.nest({"a.b": 1, "a.c": 2, "d": 3}) == {"a": {"b": 1, "c": 2}, "d": 3}
    with pytest.raises(cel.CelError):
        cel.nest({"a": 1, "a.b": 2})


@pytest.mark.parametrize("writable", [True, False])
def test_the_parser_is_built_from_a_private_cache_or_as_before(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, writable: bool) -> None:
    """A second process loads the parse tables instead of building them; where no cache can be
    written (here: the cache folder is a file), cel-python builds its parser as it always did."""
    from celpy import celparser

    base = tmp_path / "cache"
    if not writable:
        base.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(base))
    saved = celparser.CELParser.CEL_PARSER
    try:
        for _ in range(2):  # the first run writes the cache, the second reads it
            celparser.CELParser.CEL_PARSER = None
            cel.environment.cache_clear()
            condition = cel.compile_condition("x.n >= 3 && x.tag == 'a'")
            assert condition.evaluate(cel.activation({"x": {"n": 3, "tag": "a"}})) is True
        cached = list((base / "steward").glob("cel-parser-*")) if writable else []
        assert len(cached) == (1 if writable else 0)
        if writable:
            assert (base / "steward").stat().st_mode & 0o077 == 0  # private
    finally:
        celparser.CELParser.CEL_PARSER = saved
        cel.environment.cache_clear()
