def test_policy_list_and_gate_check(client, make_person) -> None:  # type: ignore[no-untyped-def]
    leo = make_person("leo", "legal")
    dan = make_person("dan", "data_science")
    assert client.get("/api/v1/policy/versions", headers=leo.headers).json() == []
    draft = client.post("/api/v1/policy/versions", headers=leo.headers, json={})
    assert draft.status_code == 201 and draft.json()["status"] == "draft"
    assert client.post("/api/v1/policy/versions", headers=dan.headers, json={}).status_code == 403
    published = client.post("/api/v1/policy/versions/1/publish", headers=leo.headers)
    assert published.json()["status"] == "published"
    versions = client.get("/api/v1/policy/versions", headers=dan.headers).json()
    assert [(v["version"], v["status"]) for v in versions] == [(1, "published")]
    bad = client.put("/api/v1/policy/versions/1", headers=leo.headers, json={"document": "x"})
    assert bad.status_code == 409

    sid = client.post("/api/v1/systems", headers=dan.headers, json={
        "name": "Model", "purpose": "p", "owner": "dan", "ai_kinds": ["predictive_model"]}
    ).json()["id"]
    gate = client.get(f"/api/v1/systems/{sid}/gate?to=pilot", headers=dan.headers).json()
    assert gate["allowed"] is False and gate["policy_version"] == 1
    assert {"kind": "classification", "detail": "the system has not been risk-classified"} in \
        gate["missing"]
    moved = client.post(f"/api/v1/systems/{sid}/move", headers=dan.headers, json={"to": "pilot"})
    assert moved.status_code == 409
    body = moved.json()
    assert body["title"] == "Conflict" and body["missing"][0]["kind"]
    review = client.post(f"/api/v1/systems/{sid}/reviews", headers=dan.headers,
                         json={"to": "pilot"})
    assert review.status_code == 201
    own = client.post(f"/api/v1/reviews/{review.json()['id']}/decisions", headers=dan.headers,
                      json={"decision": "approve"})
    assert own.status_code == 403 and "owner" in own.json()["detail"]
    ok = client.post(f"/api/v1/reviews/{review.json()['id']}/decisions", headers=leo.headers,
                     json={"decision": "approve"})
    assert ok.json()["decisions"][0]["role"] == "legal"
    assert len(client.get("/api/v1/reviews", headers=leo.headers).json()) == 1


def test_incidents_feedback_training_and_grants(client, make_person, admin) -> None:  # type: ignore[no-untyped-def]
    maya = make_person("maya", "marketing")
    aud = make_person("aud", "auditor")
    sid = client.post("/api/v1/systems", headers=maya.headers, json={
        "name": "Bot", "purpose": "p", "owner": "maya", "ai_kinds": ["chatbot"]}).json()["id"]
    incident = client.post("/api/v1/incidents", headers=maya.headers,
                           json={"title": "Wrong answer", "severity": "low", "system_id": sid})
    assert incident.status_code == 201 and incident.json()["source"] == "api"
    assert client.patch(f"/api/v1/incidents/{incident.json()['id']}", headers=maya.headers,
                        json={"status": "resolved"}).json()["status"] == "resolved"
    fb = client.post("/api/v1/feedback", headers=maya.headers,
                     json={"message": "Bot was rude", "system_id": sid, "rating": 1})
    assert fb.status_code == 201
    assert client.get("/api/v1/feedback", headers=aud.headers).status_code == 403
    triaged = client.post(f"/api/v1/feedback/{fb.json()['id']}/triage", headers=maya.headers,
                          json={"action": "dismiss", "note": "duplicate"})
    assert triaged.json()["status"] == "dismissed"
    module = client.post("/api/v1/training/modules", headers=admin.headers, json={
        "code": "ai-literacy", "title": "AI literacy", "audience_roles": ["marketing"]})
    assert module.status_code == 201
    assert client.post("/api/v1/training/completions", headers=maya.headers,
                       json={"module": "ai-literacy"}).status_code == 201
    assert client.get(f"/api/v1/systems/{sid}", headers=aud.headers).status_code == 404
    grant = client.post("/api/v1/auditors/grants", headers=admin.headers,
                        json={"username": "aud", "system_id": sid, "days": 5})
    assert grant.status_code == 201
    assert client.get(f"/api/v1/systems/{sid}", headers=aud.headers).status_code == 200
    assert client.get("/api/v1/incidents", headers=aud.headers).json()[0]["system_id"] == sid
