"""Governance reports: what the HTML says, and a PDF whose pages show the charts."""

from __future__ import annotations

import numpy as np
import pytest

from steward.errors import InvalidInput
from steward.services import kpis, reporting, systems, users
from steward.services.runtime import Actor, Runtime

SYSTEM = {"name": "Offer model", "purpose": "Choose card offers", "owner": "dan",
          "stage": "pilot", "ai_kinds": ["predictive_model"], "jurisdictions": ["EU"],
          "data_categories": ["user.financial"], "consent_purposes": ["offers"]}
ANSWERS = {"role": "provider", "ai_kind": ["predictive_model"],
           "uses": ["credit_offers_creditworthiness"], "personal_data": True,
           "jurisdictions": ["EU"]}


@pytest.fixture
def sid(runtime: Runtime, operator: Actor) -> int:
    with runtime.unit(operator) as unit:
        users.add_user(unit, username="dan", roles="data_science")
        sid = systems.create_system(unit, SYSTEM)["id"]
        systems.classify_system(unit, sid, ANSWERS)
        kpis.ingest(unit, [{"date": f"2026-0{m}-01", "system": sid, "metric": metric,
                            "value": value * m}
                           for m in range(1, 5)
                           for metric, value in (("conversion", 0.01), ("revenue", 1000))])
        return sid


def test_system_report_shows_every_section(runtime: Runtime, operator: Actor, sid: int) -> None:
    with runtime.unit(operator) as unit:
        html = reporting.render(unit, sid, "html").decode()
    for heading in ("Balanced scorecard", "Record of processing (GDPR Art. 30)",
                    "Obligations and their status", "Audits, checks and scans", "Incidents",
                    "History (audit log)"):
        assert heading in html
    assert "EU AI Act" in html and "not recorded in Steward" in html
    assert "not measured" in html
    assert html.count("<svg") == 2  # conversion and revenue trends
    assert "<script" not in html and "http://" not in html.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")


def test_portfolio_report_and_bad_targets(runtime: Runtime, operator: Actor, sid: int) -> None:
    with runtime.unit(operator) as unit:
        html = reporting.render(unit, "portfolio", "html").decode()
        with pytest.raises(InvalidInput, match="give an AI system id or 'portfolio'"):
            reporting.render(unit, "everything")
        with pytest.raises(InvalidInput, match="format must be html or pdf"):
            reporting.render(unit, sid, "docx")
    assert "AI portfolio report" in html and "Offer model" in html
    assert "AI systems by stage" in html and "AI systems by risk tier" in html


@pytest.mark.slow
@pytest.mark.browser
def test_pdf_pages_render_with_their_charts(runtime: Runtime, operator: Actor, sid: int) -> None:
    pdfium = pytest.importorskip("pypdfium2")
    with runtime.unit(operator) as unit:
        pdf = reporting.render(unit, sid, "pdf")
    assert pdf.startswith(b"%PDF-")
    document = pdfium.PdfDocument(pdf)
    assert len(document) >= 2
    chart_blue = 0
    for index in range(len(document)):
        pixels = document[index].render(scale=1).to_numpy()[..., :3].astype(int)  # BGR
        assert pixels.std() > 5, f"page {index + 1} is blank"
        # the trend lines are drawn in #3b6fb6
        chart_blue += int(((abs(pixels[..., 2] - 0x3B) < 30) & (abs(pixels[..., 1] - 0x6F) < 30)
                           & (abs(pixels[..., 0] - 0xB6) < 30)).sum())
    assert chart_blue > 200, "no chart lines on any page"
    assert np.ndim(pixels) == 3
