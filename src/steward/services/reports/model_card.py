"""The model card as a printable document (HTML, and PDF through Chromium).

The document uses the reports' stylesheet only (:func:`steward.services.reports.stylesheet`),
so the web serves it under the same Content-Security-Policy as the fairness report.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from steward import __version__
from steward.services.model_cards import FIELDS
from steward.services.reports import _num, stylesheet
from steward.services.reports.pdf import html_to_pdf

STATUS_CLASS = {"present": "pass", "partial": "warn", "missing": "fail"}


def paragraphs(text: str | None) -> Markup:
    """Blank-line separated paragraphs; lines starting with ``- `` become a list."""
    if not text:
        return Markup('<p class="meta">Not written yet.</p>')
    out = []
    for block in str(text).split("\n\n"):
        lines = [line.strip() for line in block.strip().splitlines() if line.strip()]
        if lines and all(line.startswith(("- ", "* ")) for line in lines):
            items = "".join(f"<li>{escape(line[2:])}</li>" for line in lines)
            out.append(f"<ul>{items}</ul>")
        elif lines:
            out.append(f"<p>{'<br>'.join(str(escape(line)) for line in lines)}</p>")
    return Markup("".join(out))


@cache
def _environment() -> Environment:
    env = Environment(loader=PackageLoader("steward.services.reports", "templates"),
                      autoescape=select_autoescape(["html"]), trim_blocks=True,
                      lstrip_blocks=True)
    env.filters["paragraphs"] = paragraphs
    env.filters["num"] = _num
    return env


def render_model_card(card: dict[str, Any]) -> str:
    """The model card as one self-contained HTML document."""
    titles = {name: title for name, title, _ in FIELDS}
    return _environment().get_template("model_card.html").render(
        card=card, titles=titles, css=Markup(stylesheet()), version=__version__,
        status_class=STATUS_CLASS)


def model_card_pdf(card: dict[str, Any]) -> bytes:
    """The model card printed to PDF by headless Chromium."""
    return html_to_pdf(render_model_card(card))
