"""Consent API: decode, CMP events (idempotent), GPC, strings, rights, bulk opt-outs and audience
filters on files under the data directory; problem+json errors; roles."""

from __future__ import annotations

from steward.services import evidence
from steward.services.runtime import Actor

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


def _problem(response, status: int, text: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert text in response.json()["detail"], response.json()


def test_bulk_opt_out_from_a_list_or_a_file(client, make_person, settings) -> None:  # type: ignore[no-untyped-def]
    priya = make_person("priya", "privacy")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    (settings.data_dir / "unsubscribed.csv").write_text("email\nc@x\nd@x\n")
    (settings.data_dir / "broken.parquet").write_bytes(b"PAR1 not parquet")
    body = {"subjects": ["A@x", "b@x"], "purposes": ["email_marketing", "measurement"],
            "jurisdiction": "eu", "occurred_at": "2025-06-01T12:00:00Z"}
    first = client.post("/api/v1/consent/opt-outs", headers=priya.headers, json=body)
    assert first.status_code == 201, first.text
    assert (first.json()["rows"], first.json()["added"]) == (4, 4)
    again = client.post("/api/v1/consent/opt-outs", headers=priya.headers, json=body)
    assert again.status_code == 200 and again.json()["already_recorded"] == 4
    state = client.get("/api/v1/consent/a@x", headers=priya.headers,
                       params={"purpose": "measurement"}).json()["purposes"][0]
    assert (state["status"], state["reason"]) == ("withdrawn", "withdrawn")

    from_file = client.post("/api/v1/consent/opt-outs", headers=priya.headers,
                            json={"file": "unsubscribed.csv", "subject_column": "email",
                                  "status": "denied"})
    assert from_file.status_code == 201, from_file.text
    assert from_file.json()["file"] == "unsubscribed.csv"
    assert from_file.json()["added"] == 2 * len(from_file.json()["purposes"])

    for payload, status, text in (
            ({**body, "purposes": ["nope"]}, 422, "unknown consent purpose 'nope'"),
            ({"file": "unsubscribed.csv"}, 422, "no 'subject' column"),
            ({"file": "../../etc/passwd"}, 422, "only files under the data directory"),
            ({"file": "broken.parquet"}, 422, "broken.parquet: cannot read"),
            ({"file": "keys/subject.key"}, 422, "cannot be read here"),
            ({**body, "jurisdiction": "EU'--"}, 422, "must look like EU"),
            ({"file": "unsubscribed.csv", "subjects": ["a@x"]}, 422, "not both"),
            ({"purposes": ["measurement"]}, 422, "not both and not neither")):
        _problem(client.post("/api/v1/consent/opt-outs", headers=priya.headers, json=payload),
                 status, text)
    for role in ("legal", "auditor", "committee"):
        person = make_person(f"p-{role}", role)
        assert client.post("/api/v1/consent/opt-outs", headers=person.headers,
                           json=body).status_code == 403


def test_filter_an_audience_file_for_a_system(client, make_person, settings, runtime) -> None:  # type: ignore[no-untyped-def]
    import pyarrow as pa
    import pyarrow.parquet as pq

    priya = make_person("priya", "privacy")
    maya = make_person("maya", "marketing")
    sid = client.post("/api/v1/systems", headers=priya.headers, json={
        "name": "Lookalike builder", "purpose": "lookalikes", "owner": "maya",
        "ai_kinds": ["segmentation"], "consent_purposes": ["targeted_advertising"]}).json()["id"]
    recorded = client.post("/api/v1/consent/events", headers=maya.headers, json={"events": [
        {"subject": "a@x", "purpose": "targeted_advertising", "status": "granted",
         "occurred_at": "2025-01-01T00:00:00Z"},
        {"subject": "b@x", "purpose": "targeted_advertising", "status": "withdrawn",
         "occurred_at": "2025-01-01T00:00:00Z"}]})
    assert recorded.status_code == 201, recorded.text
    (settings.data_dir / "uploads").mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"email": ["A@x", "b@x", "c@x"], "country": ["EU", "EU", "EU"]}),
                   settings.data_dir / "uploads" / "lookalike.parquet")
    (settings.data_dir / "uploads" / "broken.csv").write_bytes(b"\x00\xff" * 400)

    done = client.post("/api/v1/consent/filter", headers=maya.headers, json={
        "source": "uploads/lookalike.parquet", "system_id": sid, "subject_column": "email",
        "jurisdiction_column": "country", "write_denied": True})
    assert done.status_code == 200, done.text
    result = done.json()
    assert (result["rows"], result["allowed"], result["refused"]) == (3, 1, 2)
    assert result["by_reason"]["withdrawn"] == 1 and result["by_reason"]["no_record"] == 1
    assert result["verdict"] in ("pass", "warn", "block") and result["policy_version"] >= 0
    assert result["source"] == "uploads/lookalike.parquet" and result["evidence_id"]
    allowed = pq.read_table(settings.data_dir / result["outputs"]["allowed"])
    assert allowed.column("email").to_pylist() == ["A@x"]
    assert result["outputs"]["denied"].startswith("audiences/lookalike-refused-")
    with runtime.unit(Actor.operator("t")) as unit:
        kept = evidence.latest_evidence(unit, system_id=sid, kind="audience_filter")
    assert kept["id"] == result["evidence_id"] and kept["verdict"] == result["verdict"]

    by_purpose = client.post("/api/v1/consent/filter", headers=priya.headers, json={
        "source": "uploads/lookalike.parquet", "purpose": "targeted_advertising",
        "subject_column": "email", "out": "spring.csv"})
    assert by_purpose.status_code == 200, by_purpose.text
    assert by_purpose.json()["outputs"] == {"allowed": "audiences/spring.csv"}
    assert "evidence_id" not in by_purpose.json()

    base = {"source": "uploads/lookalike.parquet", "subject_column": "email",
            "purpose": "targeted_advertising"}
    for payload, status, text in (
            ({**base, "purpose": "nope"}, 422, "unknown consent purpose 'nope'"),
            ({**base, "subject_column": "subject"}, 422, "column 'subject' not found"),
            ({**base, "source": "../secrets.parquet"}, 422, "only files under the data dir"),
            ({**base, "source": "uploads/broken.csv"}, 422, "cannot read uploads/broken.csv"),
            ({**base, "source": "consent/state.parquet"}, 422, "cannot be read here"),
            ({**base, "out": "../../escape.parquet"}, 422, "written under audiences/"),
            ({**base, "out": "x.json"}, 422, "write the output as .parquet or .csv"),
            ({**base, "system_id": sid}, 422, "not both"),
            ({**base, "purpose": None, "system_id": 999999}, 404, "no AI system")):
        _problem(client.post("/api/v1/consent/filter", headers=maya.headers, json=payload),
                 status, text)
    assert not (settings.data_dir / "escape.parquet").exists()
    for role in ("legal", "auditor", "committee"):
        person = make_person(f"p-{role}", role)
        assert client.post("/api/v1/consent/filter", headers=person.headers,
                           json=base).status_code == 403


def test_lookup_reads_outside_a_transaction_and_still_checks_the_token(  # type: ignore[no-untyped-def]
        client, make_person, runtime, operator) -> None:
    """The hot lookup checks a token it has not seen lately in a short transaction of its own,
    then reads outside any transaction; it trusts a verified token for a few seconds, and stops
    at once when it is revoked or its user is deactivated."""
    from sqlalchemy import event

    from steward.services import consent, users

    cmp, other = make_person("cmp-bot", "it"), make_person("cmp-two", "it")
    url, params = "/api/v1/consent/Some.One@x.eu", {"purpose": "measurement"}
    with runtime.unit(operator) as unit:
        consent.purposes(unit)  # cached, as on a server that has answered a lookup already
    begun: list[int] = []

    def count(_connection) -> None:  # type: ignore[no-untyped-def]
        begun.append(1)

    event.listen(runtime.db.engine, "begin", count)
    try:
        first = client.get(url, headers=cmp.headers, params=params)  # token not verified yet
        assert first.status_code == 200, first.text
        assert first.headers["content-type"] == "application/json"
        assert first.headers["x-content-type-options"] == "nosniff"
        assert first.json()["purposes"][0]["reason"] == "no_record"
        assert len(begun) == 1  # the token check; the lookup itself opens no transaction
        again = client.get(url, headers=cmp.headers, params=params)
        assert again.status_code == 200 and again.content == first.content
        assert len(begun) == 1  # now trusted for a few seconds: no transaction at all
    finally:
        event.remove(runtime.db.engine, "begin", count)
    refused = client.get(url, headers={"Authorization": "Bearer nope"}, params=params)
    assert refused.status_code == 401
    assert refused.headers["content-type"].startswith("application/problem+json")
    mine = client.get("/api/v1/tokens", headers=cmp.headers).json()
    client.delete(f"/api/v1/tokens/{mine[0]['id']}", headers=cmp.headers)
    assert client.get(url, headers=cmp.headers, params=params).status_code == 401
    assert client.get(url, headers=other.headers, params=params).status_code == 200  # cached
    with runtime.unit(operator) as unit:
        users.set_active(unit, "cmp-two", active=False)
    assert client.get(url, headers=other.headers, params=params).status_code == 401
    for bad in ("stw_not-a-token", "nope"):
        response = client.get(url, headers={"Authorization": f"Bearer {bad}"}, params=params)
        assert response.status_code == 401


def test_the_lookup_fast_path_answers_as_the_declared_route(  # type: ignore[no-untyped-def]
        app, client, make_person, runtime, operator, monkeypatch) -> None:
    """``GET /api/v1/consent/{subject}`` is served ahead of the route table (no dependency
    solving; on PostgreSQL the token cache and the async driver on the event loop, no thread
    and no pooled engine connection). Status, headers (security headers included) and bodies
    are byte for byte those of the declared FastAPI route, which still answers what the fast
    path declines (a parameter over its limit: FastAPI's 422) and stays in the OpenAPI
    document."""
    from fastapi.testclient import TestClient
    from sqlalchemy import event

    from steward.api.fast import FastGet
    from steward.server import create_app
    from steward.services import consent

    monkeypatch.setattr(consent, "PURPOSE_CACHE_SECONDS", 1e9)  # no refresh during the test
    [fast] = [r for r in app.router.routes if isinstance(r, FastGet)]
    assert app.router.routes[0] is fast
    cmp, auditor, marketing = (make_person("cmp-fast", "it"), make_person("aud-fast", "auditor"),
                               make_person("mkt-fast", "marketing"))
    with runtime.unit(operator) as unit:
        consent.record_events(unit, [
            {"subject": "Ann@x.eu", "purpose": "measurement", "status": "granted",
             "occurred_at": "2025-01-01T10:00:00+02:00", "jurisdiction": "EU"},
            {"subject": "Ann@x.eu", "purpose": "email_marketing", "status": "denied",
             "occurred_at": "2025-02-01T00:00:00Z"}])
    declared = create_app(runtime.settings, runtime=runtime)  # the same app, no fast path
    declared.router.routes[:] = [r for r in declared.router.routes if not isinstance(r, FastGet)]
    long = "x" * 65
    requests = [("/api/v1/consent/Ann@x.eu", {}, cmp.headers),
                ("/api/v1/consent/ann@x.eu", {"purpose": "measurement"}, cmp.headers),
                ("/api/v1/consent/ann@x.eu", {"purpose": "email_marketing"}, auditor.headers),
                ("/api/v1/consent/ann@x.eu", {"jurisdiction": "EU"}, cmp.headers),
                ("/api/v1/consent/ann@x.eu?purpose=nope&purpose=measurement", {}, cmp.headers),
                ("/api/v1/consent/nobody@x.eu", {"purpose": ""}, cmp.headers),
                ("/api/v1/consent/ann@x.eu", {"purpose": "no_such_purpose"}, cmp.headers),
                ("/api/v1/consent/%20", {}, cmp.headers),
                ("/api/v1/consent/ann@x.eu", {"purpose": long}, cmp.headers),
                ("/api/v1/consent/ann@x.eu", {"jurisdiction": "J" * 17}, cmp.headers),
                ("/api/v1/consent/ann@x.eu", {"purpose": long}, {}),
                ("/api/v1/consent/ann@x.eu", {}, {}),
                ("/api/v1/consent/ann@x.eu", {}, {"Authorization": "Basic abc"}),
                ("/api/v1/consent/ann@x.eu", {}, {"Authorization": "Bearer nope"}),
                ("/api/v1/consent/ann@x.eu", {}, {"Authorization": "Bearer stw_unknown"}),
                ("/api/v1/consent/ann@x.eu", {}, marketing.headers),
                ("/api/v1/consent/purposes", {}, cmp.headers),
                ("/api/v1/consent/decode", {}, cmp.headers),
                ("/api/v1/consent/ann@x.eu/", {}, cmp.headers)]
    with TestClient(declared, raise_server_exceptions=False) as slow:
        for _ in range(2):  # tokens not verified yet, then cached
            for url, params, headers in requests:
                got, want = (c.get(url, params=params, headers=headers) for c in (client, slow))
                assert (got.status_code, got.content) == (want.status_code, want.content), url
                assert got.headers.items() == want.headers.items(), url
        got, want = (c.head("/api/v1/consent/ann@x.eu", headers=cmp.headers)
                     for c in (client, slow))
        assert (got.status_code, got.headers.items()) == (want.status_code, want.headers.items())
    assert client.get("/api/v1/consent/ann@x.eu", params={"purpose": long},
                      headers=cmp.headers).status_code == 422
    denied = client.get("/api/v1/consent/ann@x.eu", headers={})
    assert denied.headers["www-authenticate"] == "Bearer"
    assert denied.headers["x-content-type-options"] == "nosniff"
    schema = client.get("/api/openapi.json").json()
    assert "get" in schema["paths"]["/api/v1/consent/{subject}"]
    client.get("/api/v1/consent/ann@x.eu", headers=cmp.headers)  # token verified just now
    checked_out: list[int] = []
    event.listen(runtime.db.engine, "checkout", lambda *_: checked_out.append(1))
    answer = client.get("/api/v1/consent/ann@x.eu", params={"purpose": "measurement"},
                        headers=cmp.headers)
    assert answer.json()["purposes"][0]["status"] == "granted"
    # PostgreSQL: read on the event loop, no pooled engine connection; SQLite: the thread path
    assert len(checked_out) == (0 if runtime.db.reads_on_loop else 1)
