"""Governance reports: one AI system, or the whole portfolio, for the committee and regulators.

:func:`render_system_report` and :func:`render_portfolio_report` turn the documents that
:mod:`steward.services.reporting` gathers into one self-contained HTML file (stylesheet inline,
charts as static SVG, no script), which the CLI writes, the web serves, and
:mod:`steward.services.reports.pdf` prints to PDF.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from importlib.resources import files
from typing import Any

from markupsafe import Markup

from steward import __version__
from steward.services.reports import _environment, stylesheet
from steward.services.reports._lines import count_bars, line_chart

STATUS_LABEL = {"green": "green", "amber": "amber", "red": "red",
                "not_measured": "not measured", "no_target": "no target"}
TREND_ARROW = {"better": "▲ better", "worse": "▼ worse", "flat": "► flat", "up": "▲ up",
               "down": "▼ down"}


@cache
def governance_stylesheet() -> str:
    """The fairness report's stylesheet plus the scorecard's classes."""
    extra = (files("steward.services.reports") / "templates" / "governance.css").read_text(
        "utf-8")
    return stylesheet() + "\n" + extra


def governance_style_source() -> str:
    """The CSP source admitting the governance reports' inline stylesheet."""
    digest = hashlib.sha256(governance_stylesheet().encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def format_value(value: Any, unit: str) -> str:
    """A measure's value as people read it: 97.5%, 12,400, yes/no."""
    if value is None:
        return "not measured"
    if unit == "ratio":
        return f"{100 * value:.1f}%" if value <= 1.0 else f"{value:.3f}"
    if unit == "index":
        return f"{value:.3f}"
    if unit == "bool":
        return "yes" if value >= 1 else "no"
    if unit in ("count", "money") or abs(value) >= 1000:
        return f"{value:,.0f}"
    if unit == "hours":
        return f"{value:,.1f}"
    return f"{value:.3g}" if abs(value) < 10 else f"{value:,.1f}"


def _env() -> Any:
    env = _environment()
    env.filters.setdefault("measure_value", lambda m: format_value(m["value"], m["unit"]))
    env.filters.setdefault("status_label", lambda s: STATUS_LABEL.get(s, s))
    env.filters.setdefault("trend_label", lambda t: TREND_ARROW.get(t, "") if t else "")
    return env


def measure_charts(measures: list[dict[str, Any]]) -> list[Markup]:
    """One small line chart per measure with a history of at least two months."""
    out = []
    for m in measures:
        if len(m.get("history") or []) >= 2:
            svg = line_chart(m["label"], m["history"], target=m.get("target"),
                             status=m["status"])
            if svg:
                out.append(Markup(svg))
    return out


def render_system_report(document: dict[str, Any]) -> str:
    """The report of one AI system (see :func:`steward.services.reporting.system_document`)."""
    card = document["scorecard"]
    context = {
        **document, "version": __version__, "css": Markup(governance_stylesheet()),
        "charts": measure_charts(card["measures"]),
    }
    return _env().get_template("system_report.html").render(**context)


def render_portfolio_report(document: dict[str, Any]) -> str:
    """The portfolio report (see :func:`steward.services.reporting.portfolio_document`)."""
    card = document["scorecard"]
    charts = [Markup(c) for c in (count_bars("AI systems by stage", card["by_stage"]),
                                  count_bars("AI systems by risk tier", card["by_tier"])) if c]
    context = {
        **document, "version": __version__, "css": Markup(governance_stylesheet()),
        "charts": charts + measure_charts(card["measures"]),
    }
    return _env().get_template("portfolio_report.html").render(**context)
