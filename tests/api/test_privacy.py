"""Privacy API: scan, plan, anonymize (kept as evidence), risk; paths confined to the data
directory; roles; problem+json errors."""

from __future__ import annotations

import pyarrow.parquet as pq
from tests.engines.privacy.conftest import leaked

from steward.engines.privacy.synthetic import synthetic_customers

SYSTEM = {"name": "Churn model", "purpose": "churn", "owner": "priya",
          "ai_kinds": ["predictive_model"]}


def test_scan_plan_anonymize_risk(client, make_person, settings) -> None:  # type: ignore[no-untyped-def]
    priya = make_person("priya", "privacy")
    maya = make_person("maya", "marketing")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    raw = synthetic_customers(1000, seed=9)
    pq.write_table(raw, settings.data_dir / "customers.parquet")
    sid = client.post("/api/v1/systems", headers=priya.headers, json=SYSTEM).json()["id"]

    found = client.post("/api/v1/privacy/scan", headers=priya.headers,
                        json={"source": "customers.parquet"})
    assert found.status_code == 200, found.text
    assert {c["name"]: c["class"] for c in found.json()["columns"]}["email"] == \
        "direct_identifier"
    assert client.post("/api/v1/privacy/scan", headers=maya.headers,
                       json={"source": "customers.parquet"}).status_code == 403

    plan = client.post("/api/v1/privacy/plan", headers=priya.headers,
                       json={"source": "customers.parquet"}).json()
    done = client.post("/api/v1/privacy/anonymize", headers=priya.headers,
                       json={"source": "customers.parquet", "plan": plan["yaml"],
                             "system_id": sid})
    assert done.status_code == 200, done.text
    result = done.json()
    assert result["verdict"] == "pass" and result["evidence"]["system_id"] == sid
    assert leaked(raw, pq.read_table(settings.data_dir / result["output"])) == {}

    listed = client.get(f"/api/v1/privacy/anonymizations?system_id={sid}",
                        headers=maya.headers).json()
    assert [i["id"] for i in listed] == [result["evidence"]["id"]]
    one = client.get(f"/api/v1/privacy/anonymizations/{listed[0]['id']}", headers=maya.headers)
    assert one.json()["payload"]["risk_after"]["k_anonymity"] >= 5

    report = client.post("/api/v1/privacy/risk", headers=priya.headers,
                         json={"source": result["output"], "quasi_identifiers":
                               result["plan"]["quasi_identifiers"], "k": 5}).json()
    assert report["k"] == 5 and report["min_class_size"] >= 5


def test_errors_are_problem_json(client, make_person, settings) -> None:  # type: ignore[no-untyped-def]
    priya = make_person("priya", "privacy")
    outside = client.post("/api/v1/privacy/scan", headers=priya.headers,
                          json={"source": "../../etc/passwd.csv"})
    assert outside.status_code == 422
    assert outside.headers["content-type"].startswith("application/problem+json")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    pq.write_table(synthetic_customers(50, seed=1), settings.data_dir / "c.parquet")
    bad = client.post("/api/v1/privacy/anonymize", headers=priya.headers,
                      json={"source": "c.parquet", "plan": {"columns": {"email": {
                          "transform": "pseudonym", "key": "x"}}}})
    assert bad.status_code == 422 and "must not hold a key" in bad.json()["detail"]


def test_reveal_for_privacy_only_audited_and_never_cached(client, make_person, settings) -> None:  # type: ignore[no-untyped-def]
    priya = make_person("priya", "privacy")
    dan = make_person("dan", "data_science")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    raw = synthetic_customers(300, seed=2)
    pq.write_table(raw, settings.data_dir / "c.parquet")
    done = client.post("/api/v1/privacy/anonymize", headers=dan.headers, json={
        "source": "c.parquet", "plan": {"suppress_small_classes": False,
                                        "columns": {"customer_id": "tokenize"}}})
    assert done.status_code == 200, done.text
    assert done.json()["vault"]["path"].startswith("vault/")
    tokens = pq.read_table(settings.data_dir / done.json()["output"]).column(
        "customer_id").to_pylist()[:2]
    body = {"tokens": tokens, "reason": "complaint 31: find the customer's orders"}
    refused = client.post("/api/v1/privacy/reveal", headers=dan.headers, json=body)
    assert refused.status_code == 403
    opened = client.post("/api/v1/privacy/reveal", headers=priya.headers, json=body)
    assert opened.status_code == 200, opened.text
    assert opened.headers["cache-control"] == "no-store"
    assert [r["value"] for r in opened.json()] == raw.column("customer_id").to_pylist()[:2]
    log = client.get("/api/v1/audit-log?limit=5", headers=priya.headers)
    assert log.status_code == 200 and log.text.count('"privacy.reveal"') == 2
    assert raw.column("customer_id")[0].as_py() not in log.text
    for tokens, status in ((["tok_bad"], 422), (["tok_" + "f" * 32], 404)):
        answer = client.post("/api/v1/privacy/reveal", headers=priya.headers,
                             json={**body, "tokens": tokens})
        assert answer.status_code == status
        assert answer.headers["content-type"].startswith("application/problem+json")
    short = client.post("/api/v1/privacy/reveal", headers=priya.headers,
                        json={**body, "reason": "why"})
    assert short.status_code == 422 and "say why" in short.json()["detail"]
