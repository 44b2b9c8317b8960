"""The customer's "why am I seeing this offer?" text, from their top reasons.

The words are the organisation's: a Jinja template (rendered in a sandbox, so an edited
template cannot reach Python) and a mapping of feature names to friendly labels with how to
show each value. The engine supplies each reason's ``label``, ``shown`` value and ``phrase``
(``label (shown)``) and the ``join_and`` filter ("a, b and c").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from steward.errors import InvalidInput

BAD_TEMPLATE = "the customer explanation template: {problem}"


def join_and(items: Sequence[Any]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    words = [str(i) for i in items]
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def show_value(value: Any, spec: Mapping[str, Any]) -> str | None:
    """A value as the label file says: ``prefix``, ``suffix``, ``decimals``, ``percent``,
    ``values`` (a mapping of raw values to words); ``hide: true`` shows nothing."""
    if value is None or spec.get("hide"):
        return None
    words = spec.get("values")
    if isinstance(words, Mapping):
        return str(words.get(value, words.get(str(value), value)))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        number = float(value) * (100 if spec.get("percent") else 1)
        decimals = int(spec.get("decimals", 0 if float(number).is_integer() else 1))
        text = f"{number:,.{max(0, min(decimals, 6))}f}"
        if spec.get("percent"):
            text += "%"
        return f"{spec.get('prefix', '')}{text}{spec.get('suffix', '')}"
    return f"{spec.get('prefix', '')}{value}{spec.get('suffix', '')}"


def labelled(reasons: Sequence[Mapping[str, Any]],
             labels: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Reasons with the organisation's ``label``, the ``shown`` value and the ``phrase``
    (``label (shown)``, or the label file's ``phrases`` entry for that value)."""
    out = []
    for reason in reasons:
        spec = labels.get(reason["feature"]) or {}
        if isinstance(spec, str):
            spec = {"label": spec}
        label = str(spec.get("label") or reason["feature"].replace("_", " "))
        shown = show_value(reason.get("value"), spec)
        phrase = f"{label} ({shown})" if shown else label
        phrases = spec.get("phrases")
        if isinstance(phrases, Mapping):
            value = reason.get("value")
            phrase = str(phrases.get(value, phrases.get(str(value), phrase)))
        out.append({**reason, "label": label, "shown": shown, "phrase": phrase})
    return out


def customer_text(reasons: Sequence[Mapping[str, Any]], *, template: str,
                  labels: Mapping[str, Any], context: Mapping[str, Any] | None = None) -> str:
    """Render the organisation's template for one person's top reasons."""
    from jinja2 import TemplateError
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(autoescape=False, trim_blocks=True, lstrip_blocks=True,
                               keep_trailing_newline=False)
    env.filters["join_and"] = join_and
    try:
        text = env.from_string(template).render(
            **dict(context or {}), reasons=labelled(reasons, labels))
    except TemplateError as exc:
        raise InvalidInput(BAD_TEMPLATE.format(problem=exc)) from None
    return "\n".join(line.rstrip() for line in text.strip().splitlines())
