"""Audits API: run a fairness audit on a table under the data directory, list and read them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

SYSTEM = {"name": "Offer model", "purpose": "card offers", "owner": "dan",
          "ai_kinds": ["predictive_model"]}


def write(path: Path, *, b_rate: float, n: int = 2000) -> None:
    rng = np.random.default_rng(5)
    path.parent.mkdir(parents=True, exist_ok=True)
    gender = np.array(["F", "M"] * (n // 2))
    offered = np.where(gender == "F", rng.random(n) < 0.5, rng.random(n) < b_rate)
    pq.write_table(pa.table({"gender": gender, "age_band": rng.choice(np.array(["<40", "40+"]), n),
                             "offered": offered.astype(np.int8)}), path)


def test_run_list_and_read_audits(client, make_person, settings) -> None:  # type: ignore[no-untyped-def]
    dan = make_person("dan", "data_science")
    maya = make_person("maya", "marketing")
    audrey = make_person("audrey", "auditor")
    write(settings.data_dir / "tables" / "q1.parquet", b_rate=0.5)
    write(settings.data_dir / "tables" / "q2.parquet", b_rate=0.3)
    sid = client.post("/api/v1/systems", headers=dan.headers, json=SYSTEM).json()["id"]

    body = {"source": "tables/q1.parquet", "groups": ["gender", "age_band"],
            "decision": "offered", "intersections": True}
    direct = client.post("/api/v1/audits/fairness", headers=maya.headers, json=body)
    assert direct.status_code == 200, direct.text
    result = direct.json()
    assert {"rows", "groups", "intersections", "disparities", "verdict", "findings"} <= set(result)
    assert result["rows"] == 2000 and result["verdict"] == "pass"
    assert result["groups"][0]["group"] == {"gender": "F"}
    assert result["intersections"][0]["group"].keys() == {"gender", "age_band"}
    assert result["scope"]["source"] == "tables/q1.parquet"
    assert result["evidence"] is None

    first = client.post("/api/v1/audits/fairness", headers=dan.headers,
                        json={**body, "system_id": sid}).json()
    second = client.post("/api/v1/audits/fairness", headers=dan.headers,
                         json={**body, "source": "tables/q2.parquet", "system_id": sid}).json()
    assert first["evidence"]["verdict"] == "pass" and second["verdict"] == "fail"
    assert second["comparison"]["verdict_change"] == "worse"
    assert second["comparison"]["previous_id"] == first["evidence"]["id"]

    listed = client.get(f"/api/v1/systems/{sid}/audits", headers=audrey.headers)
    assert listed.status_code in (403, 404)  # an auditor without a grant for this system
    listed = client.get(f"/api/v1/systems/{sid}/audits", headers=maya.headers)
    assert [a["id"] for a in listed.json()] == [second["evidence"]["id"], first["evidence"]["id"]]
    assert listed.json()[0]["summary"]["worst_selection_rate_ratio"]["gender"] < 0.8

    one = client.get(f"/api/v1/audits/{second['evidence']['id']}", headers=maya.headers)
    assert one.status_code == 200
    assert one.json()["payload"]["verdict"] == "fail"
    assert one.json()["comparison"]["verdict_change"] == "worse"
    assert one.json()["data_fingerprint"]["rows"] == 2000
    report = client.get(f"/api/v1/audits/{second['evidence']['id']}/report",
                        headers=maya.headers)
    assert report.status_code == 200 and "Reach against eligibility" in report.text
    assert client.get("/api/v1/audits/9999", headers=maya.headers).status_code == 404


def test_bad_requests_are_problems(client, make_person, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    dan = make_person("dan", "data_science")
    audrey = make_person("audrey", "auditor")
    write(settings.data_dir / "t.parquet", b_rate=0.5)
    body = {"source": "t.parquet", "groups": ["gender"], "decision": "offered"}
    for source in ("/etc/hostname", "../outside.parquet"):
        outside = client.post("/api/v1/audits/fairness", headers=dan.headers,
                              json={**body, "source": source})
        assert outside.status_code == 422
        assert outside.headers["content-type"].startswith("application/problem+json")
        assert "only files under the data directory" in outside.json()["detail"]
    column = client.post("/api/v1/audits/fairness", headers=dan.headers,
                         json={**body, "groups": ["gendr"]})
    assert column.status_code == 422 and "gendr" in column.json()["detail"]
    empty = client.post("/api/v1/audits/fairness", headers=dan.headers,
                        json={**body, "groups": []})
    assert empty.status_code == 422
    assert client.post("/api/v1/audits/fairness", headers=audrey.headers,
                       json=body).status_code == 403
    assert client.post("/api/v1/audits/fairness", headers=dan.headers,
                       json={**body, "system_id": 404}).status_code == 404
