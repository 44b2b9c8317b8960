"""An explanation as a printable page: what drives the model, and one person's reasons."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from steward import __version__
from steward.services.reports import stylesheet
from steward.services.reports.model_card import _environment


def render_explanation(result: dict[str, Any]) -> str:
    """A self-contained HTML page of an explanation (``services.explain.explain_model``)."""
    return _environment().get_template("explanation.html").render(
        result=result, css=Markup(stylesheet()), version=__version__)
