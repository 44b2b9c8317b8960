"""Real Chromium: the home page (portfolio dashboard) and a system's scorecard draw their Plotly
charts offline, with no console error and no request leaving the app."""

from __future__ import annotations

import os

import pytest

from steward.services import evidence, kpis, systems, users
from steward.services.runtime import Actor, Runtime

from .conftest import sign_in

pytestmark = pytest.mark.browser


def seed(runtime: Runtime, operator: Actor) -> int:
    with runtime.unit(operator) as unit:
        users.add_user(unit, username="maya", roles="marketing")
        sid = systems.create_system(unit, {"name": "Mailer", "purpose": "copy", "owner": "maya",
                                           "stage": "production",
                                           "ai_kinds": ["generative_text"]})["id"]
        systems.create_system(unit, {"name": "Idea", "purpose": "x", "owner": "maya",
                                     "ai_kinds": ["chatbot"]})
        rows = [{"date": f"2026-0{m}-01", "system": sid, "metric": metric, "value": v * m}
                for m in range(1, 6)
                for metric, v in (("click_through", 0.006), ("revenue", 1000.0),
                                  ("complaints", 2.0))]
        kpis.ingest(unit, rows)
        evidence.record_evidence(unit, kind="drift_check", title="d", system_id=sid,
                                 payload={}, verdict="warn", summary={"drift_share": 0.3})
    return sid


def test_dashboard_and_scorecard_draw_their_charts(page, make_person, runtime, operator) -> None:  # type: ignore[no-untyped-def]
    sid = seed(runtime, operator)
    person = make_person("carol", "committee")
    sign_in(page, "carol", person.password)

    page.wait_for_selector("#chart-stage.js-plotly-plot")
    page.wait_for_selector("#chart-tier.js-plotly-plot")
    page.wait_for_selector("#chart-kpi-click_through.js-plotly-plot")
    assert "production" in page.inner_text("#chart-stage")
    assert page.locator("#portfolio-charts .js-plotly-plot").count() >= 4
    assert "Nothing waits for you" in page.inner_text("#attention") or page.locator(
        "#attention li").count() >= 1
    assert "Mailer" in page.inner_text("#systems-scorecards")
    if os.environ.get("STEWARD_SCREENSHOTS"):
        page.screenshot(path=os.environ["STEWARD_SCREENSHOTS"] + "/home.png", full_page=True)

    page.click(f"#systems-scorecards a[href='/systems/{sid}/scorecard']")
    page.wait_for_url(f"**/systems/{sid}/scorecard")
    page.wait_for_selector("#chart-kpi-revenue.js-plotly-plot")
    assert page.locator("#trends .js-plotly-plot").count() == 3
    assert page.locator("#chart-kpi-complaints .shapelayer path").count() >= 1  # target line
    assert "not measured" in page.inner_text("#scorecard-responsibility")
    assert "Click-through rate" in page.inner_text("#scorecard-performance")
    if os.environ.get("STEWARD_SCREENSHOTS"):
        page.screenshot(path=os.environ["STEWARD_SCREENSHOTS"] + "/scorecard.png", full_page=True)

    page.click("#report-link")
    page.wait_for_url(f"**/reports/{sid}")
    assert "Record of processing" in page.inner_text("body")
    assert page.locator("svg.chart").count() >= 3
