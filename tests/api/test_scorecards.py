"""KPIs, scorecards, reports and evidence packs over the API, with who may do what."""

from __future__ import annotations

import io

from steward.services.evidence_packs import verify_pack

SYSTEM = {"name": "Mailer", "purpose": "copy", "owner": "maya", "stage": "production",
          "ai_kinds": ["generative_text"]}


def test_kpis_scorecards_reports_and_packs(client, make_person, admin) -> None:  # type: ignore[no-untyped-def]
    maya = make_person("maya", "marketing")
    audrey = make_person("audrey", "auditor")
    sid = client.post("/api/v1/systems", headers=maya.headers, json=SYSTEM).json()["id"]

    figures = [{"date": "2026-01-05", "system": sid, "metric": "ctr", "value": 0.01},
               {"date": "2026-02-05", "system": "Mailer", "metric": "ctr", "value": 0.03}]
    response = client.post("/api/v1/kpis", headers=maya.headers, json={"figures": figures})
    assert response.status_code == 201 and response.json()["inserted"] == 2
    csv = "date,system,metric,value\n2026-03-05,Mailer,complaints,40\n"
    response = client.post("/api/v1/kpis/import", headers={**maya.headers,
                                                            "Content-Type": "text/csv"},
                           content=csv)
    assert response.status_code == 201, response.text
    bad = client.post("/api/v1/kpis", headers=maya.headers, json={"figures": [
        {**figures[0], "system": "Nope"}]})
    assert bad.status_code == 422 and bad.headers["content-type"].startswith(
        "application/problem+json")
    assert client.post("/api/v1/kpis", headers=audrey.headers,
                       json={"figures": figures}).status_code == 403

    card = client.get(f"/api/v1/scorecards/{sid}", headers=maya.headers).json()
    keys = {m["key"]: m for m in card["measures"]}
    assert keys["kpi.click_through"]["status"] == "green"
    assert keys["kpi.complaints"]["status"] == "red"
    assert keys["consent_coverage"]["status"] == "not_measured"
    portfolio = client.get("/api/v1/scorecards/portfolio", headers=maya.headers).json()
    assert portfolio["by_stage"] == {"production": 1}
    assert len(client.get(f"/api/v1/kpis?system_id={sid}", headers=maya.headers).json()) == 3

    report = client.get(f"/api/v1/reports/{sid}", headers=maya.headers)
    assert report.status_code == 200 and "Record of processing" in report.text
    assert client.get("/api/v1/reports/portfolio", headers=maya.headers).status_code == 200

    # packs: the auditor may download only a granted system's pack; marketing may not
    assert client.get(f"/api/v1/evidence-packs/{sid}", headers=maya.headers).status_code == 403
    assert client.get(f"/api/v1/evidence-packs/{sid}",
                      headers=audrey.headers).status_code == 404
    granted = client.post("/api/v1/auditors/grants", headers=admin.headers,
                          json={"username": "audrey", "system_id": sid, "days": 10})
    assert granted.status_code == 201, granted.text
    pack = client.get(f"/api/v1/evidence-packs/{sid}", headers=audrey.headers)
    assert pack.status_code == 200 and pack.headers["content-type"] == "application/zip"
    assert verify_pack(io.BytesIO(pack.content).getvalue()).ok
    assert client.get("/api/v1/scorecards/999", headers=maya.headers).status_code == 404
