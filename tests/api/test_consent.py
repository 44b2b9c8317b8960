TC = "CO5dPi4O5dPx2B7DvCENA2CgAAAAAAAAAAAAGewAAM8gAAAA.YAAAAAAAAAAA"


def test_decode_endpoint_reports_each_string(client, make_person) -> None:  # type: ignore[no-untyped-def]
    priya = make_person("priya", "privacy")
    response = client.post("/api/v1/consent/decode", headers=priya.headers,
                           json={"strings": [TC, "nope!"]})
    assert response.status_code == 200
    first, second = response.json()
    assert first["fields"]["cmpId"] == 123 and first["error"] is None
    assert second["fields"] is None and "base64url" in second["error"]
    assert client.post("/api/v1/consent/decode", headers=priya.headers,
                       json={"strings": []}).status_code == 422


def test_cmp_endpoint_is_idempotent_and_lookup_reads_state(client, make_person) -> None:  # type: ignore[no-untyped-def]
    cmp = make_person("cmp-bot", "it")
    body = {"events": [{"subject": "Web@Visitor.eu", "purpose": "personalised_content",
                        "status": "granted", "notice": "cookie-banner", "notice_version": "7",
                        "jurisdiction": "eu", "occurred_at": "2025-05-01T10:00:00Z"}]}
    headers = {**cmp.headers, "Idempotency-Key": "banner-123"}
    first = client.post("/api/v1/consent/events", headers=headers, json=body)
    again = client.post("/api/v1/consent/events", headers=headers, json=body)
    assert first.status_code == 201 and again.status_code == 200, first.text
    receipt = first.json()["receipts"][0]
    assert receipt["event_id"] == again.json()["receipts"][0]["event_id"]
    assert receipt["jurisdiction"] == "EU" and len(receipt["signature"]) == 64
    clash = client.post("/api/v1/consent/events", headers=headers,
                        json={"events": [{**body["events"][0], "status": "denied"}]})
    assert clash.status_code == 409
    assert clash.headers["content-type"].startswith("application/problem+json")

    found = client.get("/api/v1/consent/web@visitor.eu", headers=cmp.headers,
                       params={"purpose": "personalised_content"}).json()
    assert found["purposes"][0]["allowed"] is True
    assert found["purposes"][0]["since"] == "2025-05-01T10:00:00Z"
    assert client.get(f"/api/v1/consent/receipts/{receipt['event_id']}",
                      headers=cmp.headers).json()["signature"] == receipt["signature"]
    bad = client.get("/api/v1/consent/x", headers=cmp.headers, params={"purpose": "nope"})
    assert bad.status_code == 422 and "unknown consent purpose" in bad.json()["detail"]


def test_gpc_header_strings_and_rights(client, make_person) -> None:  # type: ignore[no-untyped-def]
    cmp = make_person("cmp-bot", "it")
    priya = make_person("priya", "privacy")
    gpc = client.post("/api/v1/consent/events", headers={**cmp.headers, "Sec-GPC": "1"},
                      json={"subject": "ca@visitor.us", "jurisdiction": "US-CA"})
    assert gpc.status_code == 201
    assert {r["source"] for r in gpc.json()["receipts"]} == {"gpc"}
    state = client.get("/api/v1/consent/ca@visitor.us", headers=cmp.headers,
                       params={"purpose": "targeted_advertising"}).json()["purposes"][0]
    assert state["reason"] == "gpc"
    tc = client.post("/api/v1/consent/events", headers=cmp.headers,
                     json={"subject": "eu@visitor.eu", "consent_string": TC})
    assert tc.status_code == 201
    broken = client.post("/api/v1/consent/events", headers=cmp.headers,
                         json={"subject": "eu@visitor.eu", "consent_string": "CO!!bad"})
    assert broken.status_code == 422 and "base64url" in broken.json()["detail"]
    exported = client.post("/api/v1/consent/access", headers=priya.headers,
                           json={"subject": "ca@visitor.us"}).json()
    assert len(exported["events"]) == 3  # one per purpose GPC covers
    assert client.post("/api/v1/consent/access", headers=cmp.headers,
                       json={"subject": "ca@visitor.us"}).status_code == 403
    erased = client.post("/api/v1/consent/erasure", headers=priya.headers,
                         json={"subject": "ca@visitor.us", "reason": "DSR 7"}).json()
    assert erased["events_deleted"] == 3
    after = client.get("/api/v1/consent/ca@visitor.us", headers=cmp.headers,
                       params={"purpose": "targeted_advertising"}).json()["purposes"][0]
    assert after["reason"] == "no_record"
