SYSTEM = {"name": "Support bot", "purpose": "Answer delivery questions", "owner": "maya",
          "ai_kinds": ["chatbot"], "jurisdictions": ["EU", "US-CA"], "customer_facing": True}
ANSWERS = {"ai_kind": ["chatbot"], "interacts_with_people": True, "personal_data": True,
           "jurisdictions": ["EU", "US-CA"]}


def test_register_classify_and_read(client, make_person) -> None:  # type: ignore[no-untyped-def]
    maya = make_person("maya", "marketing")
    created = client.post("/api/v1/systems", headers=maya.headers, json=SYSTEM)
    assert created.status_code == 201, created.text
    sid = created.json()["id"]
    classified = client.post(f"/api/v1/systems/{sid}/classification", headers=maya.headers,
                             json=ANSWERS)
    assert classified.status_code == 200, classified.text
    body = classified.json()
    assert body["classification"]["tier"] == "limited"
    assert body["system"]["obligations"][0]["citation"]["url"].startswith("https://")
    listed = client.get("/api/v1/systems?tier=limited", headers=maya.headers).json()
    assert [(s["id"], s["name"], s["stage"], s["tier"]) for s in listed] == [
        (sid, "Support bot", "proposed", "limited")]
    obligations = client.get(f"/api/v1/systems/{sid}/obligations", headers=maya.headers).json()
    assert {o["status"] for o in obligations} == {"open"}


def test_patch_retire_and_conflicts(client, make_person) -> None:  # type: ignore[no-untyped-def]
    maya = make_person("maya", "marketing")
    sid = client.post("/api/v1/systems", headers=maya.headers, json=SYSTEM).json()["id"]
    patched = client.patch(f"/api/v1/systems/{sid}", headers=maya.headers,
                           json={"vendor": "Intercom", "expected_version": 1})
    assert patched.status_code == 200 and patched.json()["vendor"] == "Intercom"
    stale = client.patch(f"/api/v1/systems/{sid}", headers=maya.headers,
                         json={"vendor": "Other", "expected_version": 1})
    assert stale.status_code == 409
    assert client.post(f"/api/v1/systems/{sid}/retire", headers=maya.headers,
                       json={"reason": "replaced"}).json()["stage"] == "retired"
    assert client.post("/api/v1/systems", headers=maya.headers, json=SYSTEM).status_code == 409


def test_bad_input_is_a_422_problem(client, make_person) -> None:  # type: ignore[no-untyped-def]
    maya = make_person("maya", "marketing")
    bad = client.post("/api/v1/systems", headers=maya.headers,
                      json={**SYSTEM, "data_uses": ["world_domination"]})
    assert bad.status_code == 422 and "world_domination" in bad.json()["detail"]
    sid = client.post("/api/v1/systems", headers=maya.headers, json=SYSTEM).json()["id"]
    bad_answers = client.post(f"/api/v1/systems/{sid}/classification", headers=maya.headers,
                              json={"ai_kind": ["telepathy"]})
    assert bad_answers.status_code == 422
    assert bad_answers.headers["content-type"] == "application/problem+json"
    assert client.get("/api/v1/systems/999", headers=maya.headers).status_code == 404
    assert client.get("/api/v1/systems?stage=launched", headers=maya.headers).status_code == 422


def test_auditors_read_granted_systems_but_do_not_write(client, make_person, admin) -> None:  # type: ignore[no-untyped-def]
    maya = make_person("maya", "marketing")
    auditor = make_person("aud", "auditor")
    sid = client.post("/api/v1/systems", headers=maya.headers, json=SYSTEM).json()["id"]
    assert client.get("/api/v1/systems", headers=auditor.headers).json() == []
    client.post("/api/v1/auditors/grants", headers=admin.headers,
                json={"username": "aud", "system_id": sid})
    assert len(client.get("/api/v1/systems", headers=auditor.headers).json()) == 1
    assert client.post("/api/v1/systems", headers=auditor.headers,
                       json={**SYSTEM, "name": "x"}).status_code == 403


def test_export_and_import(client, make_person) -> None:  # type: ignore[no-untyped-def]
    maya = make_person("maya", "marketing")
    client.post("/api/v1/systems", headers=maya.headers, json=SYSTEM)
    csv_text = client.get("/api/v1/systems/export?format=csv", headers=maya.headers).text
    assert csv_text.startswith("id,name,purpose")
    renamed = csv_text.replace("Support bot", "Support bot EU")
    result = client.post("/api/v1/systems/import", headers={**maya.headers,
                         "Content-Type": "text/csv"}, content=renamed)
    assert result.json() == {"created": 1, "updated": 0}
    broken = client.post("/api/v1/systems/import", headers={**maya.headers,
                         "Content-Type": "text/csv"}, content="name,colour\nx,y\n")
    assert broken.status_code == 422 and "colour" in broken.json()["detail"]


def test_risk_dry_run_and_questions(client, make_person) -> None:  # type: ignore[no-untyped-def]
    leo = make_person("leo", "legal")
    result = client.post("/api/v1/risk/classify", headers=leo.headers,
                         json={"name": "Card model", "ai_kind": ["predictive_model"],
                               "uses": ["credit_offers_creditworthiness"], "profiling": True,
                               "personal_data": True, "jurisdictions": ["EU"]})
    assert result.status_code == 200 and result.json()["tier"] == "high"
    keys = {q["key"] for q in client.get("/api/v1/risk/questions", headers=leo.headers).json()}
    assert {"uses", "profiling", "solely_automated_decision_with_significant_effect"} <= keys
    assert client.post("/api/v1/risk/classify", headers=leo.headers,
                       json={"colour": 1}).status_code == 422
