"""The home page as portfolio dashboard, a system's scorecard page, reports and packs."""

from __future__ import annotations

import io

from steward.services import kpis, systems
from steward.services.evidence_packs import verify_pack
from steward.services.runtime import Actor

SYSTEM = {"name": "Mailer", "purpose": "copy", "owner": "maya", "stage": "production",
          "ai_kinds": ["generative_text"]}


def seed(runtime, operator: Actor) -> int:  # type: ignore[no-untyped-def]
    with runtime.unit(operator) as unit:
        sid = systems.create_system(unit, SYSTEM)["id"]
        kpis.ingest(unit, [{"date": f"2026-0{m}-01", "system": sid, "metric": "click_through",
                            "value": 0.01 * m} for m in range(1, 4)])
    return sid


def test_dashboard_scorecard_reports_and_pack(client, web_login, make_person, runtime,  # type: ignore[no-untyped-def]
                                              operator) -> None:
    make_person("maya", "marketing")
    sid = seed(runtime, operator)
    web_login("carol", "committee")
    home = client.get("/")
    assert home.status_code == 200
    for anchor in ('id="attention"', 'id="portfolio"', 'id="attention-now"',
                   'id="portfolio-charts"', 'id="systems-scorecards"', "people", "audit-log"):
        assert anchor in home.text, anchor
    assert 'id="scorecard-charts"' in home.text and "/static/scorecards.js" in home.text
    assert "sha256-" in home.headers["content-security-policy"]  # Plotly's styles admitted

    page = client.get(f"/systems/{sid}/scorecard")
    assert page.status_code == 200
    assert "Click-through rate" in page.text and "not measured" in page.text
    assert "chart-kpi-click_through" in page.text

    assert "Portfolio report" in client.get("/reports").text
    report = client.get(f"/reports/{sid}")
    assert report.status_code == 200 and "Record of processing" in report.text
    assert "sha256-" in report.headers["content-security-policy"]
    pack = client.get(f"/systems/{sid}/evidence-pack")
    assert pack.status_code == 200 and verify_pack(io.BytesIO(pack.content).getvalue()).ok


def test_marketing_sees_the_scorecard_but_cannot_export_packs(client, web_login, make_person,  # type: ignore[no-untyped-def]
                                                              runtime, operator) -> None:
    make_person("maya", "marketing")
    sid = seed(runtime, operator)
    web_login("mo", "marketing")
    assert client.get(f"/systems/{sid}/scorecard").status_code == 200
    assert "evidence-pack" not in client.get("/reports").text
    assert client.get(f"/systems/{sid}/evidence-pack").status_code == 403
