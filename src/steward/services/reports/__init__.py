"""Printable reports: self-contained HTML documents for regulators, auditors and files.

A report is one HTML file with its stylesheet inline and its charts as static SVG (no script,
so it prints, converts to PDF and archives as it is). The CLI writes it (``steward audit
fairness ... --format html > report.html``) and the web serves the same document
(``/audits/{id}/report``) under a Content-Security-Policy that admits exactly its stylesheet
(:func:`style_source`).
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from importlib.resources import files
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from steward import __version__
from steward.services.reports._svg import ratio_chart, selection_chart

LIMITATIONS = (
    "The audit measures who the decision selected, by the group columns given; it cannot say "
    "which groups deserve protection, whether a gap is justified by a legitimate business "
    "need, or whether the outcome label is itself biased. A pass means the measured gaps are "
    "within the policy's thresholds, not that the decision is fair.",
    "Groups smaller than the minimum group size are reported but not judged: their rates are "
    "too noisy. Intersections of small groups are often below it.",
    "Significance tests are corrected for multiple comparisons (Holm's method unless the "
    "policy says otherwise); a gap that is not significant may still be real in a larger "
    "sample.",
    "The result describes this table only: a different period, channel or population may "
    "give different results. Re-run the audit when the model, the audience or the data "
    "change.",
)


@cache
def _environment() -> Environment:
    env = Environment(loader=PackageLoader("steward.services.reports", "templates"),
                      autoescape=select_autoescape(["html"]), trim_blocks=True,
                      lstrip_blocks=True)
    env.filters["num"] = _num
    env.filters["pct"] = _pct
    env.filters["group_name"] = group_name
    return env


@cache
def stylesheet() -> str:
    """The reports' stylesheet, inlined in every report."""
    return (files("steward.services.reports") / "templates" / "report.css").read_text("utf-8")


def style_source() -> str:
    """The CSP source (``'sha256-…'``) that admits the reports' inline stylesheet."""
    digest = hashlib.sha256(stylesheet().encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def _num(value: Any, digits: int = 3) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _pct(value: Any) -> str:
    return "—" if value is None else f"{100 * float(value):.1f}%"


def group_name(group: dict[str, Any] | None) -> str:
    """``gender=F, age_band=65+``."""
    if not group:
        return "overall"
    return ", ".join(f"{k}={v}" for k, v in group.items())


def _parts(audit: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None,
                                           dict[str, Any] | None]:
    """The result, its evidence record and the comparison, from a run or a stored audit."""
    if "payload" in audit:
        evidence = {k: v for k, v in audit.items() if k not in ("payload", "comparison")}
        return audit["payload"], evidence, audit.get("comparison")
    return audit, audit.get("evidence"), audit.get("comparison")


def report_context(audit: dict[str, Any]) -> dict[str, Any]:
    """What the report shows, derived once (the web page uses it too)."""
    result, evidence, comparison = _parts(audit)
    options = result.get("options", {})
    thresholds = result.get("thresholds", {})
    groups = result.get("groups", [])
    findings = sorted(result.get("findings", []),
                      key=lambda f: {"fail": 0, "warn": 1}.get(f.get("verdict"), 2))
    unjudged = [g for g in [*groups, *result.get("intersections", [])] if not g.get("judged")]
    scopes = list(dict.fromkeys(g["scope"] for g in groups))
    if result.get("intersections"):
        scopes += list(dict.fromkeys(g["scope"] for g in result["intersections"]))
    return {
        "result": result, "evidence": evidence, "comparison": comparison,
        "options": options, "thresholds": thresholds, "findings": findings,
        "problems": [f for f in findings if f.get("verdict") != "pass"],
        "scopes": scopes, "unjudged": unjudged, "has_label": options.get("label") is not None,
        "policy": result.get("policy") or {}, "scope": result.get("scope") or {},
        "limitations": LIMITATIONS, "version": __version__,
        "ratio_line": thresholds.get("min_selection_rate_ratio") or 0.8,
    }


def render_fairness_report(audit: dict[str, Any]) -> str:
    """The printable HTML report of a fairness audit (a run's result or a stored audit)."""
    context = report_context(audit)
    marginal = context["result"].get("groups", [])
    context["charts"] = {
        "selection": Markup(selection_chart(marginal)),
        "ratio": Markup(ratio_chart(marginal, line=context["ratio_line"])),
    }
    context["css"] = Markup(stylesheet())
    return _environment().get_template("fairness.html").render(**context)
