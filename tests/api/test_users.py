def test_health_and_readiness(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}


def test_openapi_is_published(client) -> None:  # type: ignore[no-untyped-def]
    spec = client.get("/api/openapi.json").json()
    assert "/api/v1/users" in spec["paths"]
    assert all(p.startswith("/api/v1/") or p in ("/healthz", "/readyz") for p in spec["paths"])


def test_admin_adds_and_lists_users(client, admin) -> None:  # type: ignore[no-untyped-def]
    created = client.post("/api/v1/users", headers=admin.headers,
                          json={"username": "leo", "roles": ["legal"], "password": "pw-12345678"})
    assert created.status_code == 201 and created.json()["roles"] == ["legal"]
    listed = client.get("/api/v1/users", headers=admin.headers).json()
    assert {u["username"] for u in listed} == {"root-admin", "leo"}
    assert client.post("/api/v1/users", headers=admin.headers,
                       json={"username": "leo", "roles": ["legal"]}).status_code == 409


def test_people_manage_their_own_tokens(client, make_person) -> None:  # type: ignore[no-untyped-def]
    maya = make_person("maya", "marketing")
    leo = make_person("leo", "legal")
    new = client.post("/api/v1/tokens", headers=maya.headers, json={"name": "laptop"})
    assert new.status_code == 201 and new.json()["token"].startswith("stw_")
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {new.json()['token']}"}
                      ).json()["username"] == "maya"
    mine = client.get("/api/v1/tokens", headers=maya.headers).json()
    assert {t["username"] for t in mine} == {"maya"}
    assert client.post("/api/v1/tokens", headers=maya.headers,
                       json={"username": "leo"}).status_code == 403
    assert client.delete(f"/api/v1/tokens/{mine[0]['id']}", headers=leo.headers).status_code == 403
    revoked = client.delete(f"/api/v1/tokens/{new.json()['id']}", headers=maya.headers)
    assert revoked.json()["status"] == "revoked"
    stale = client.get("/api/v1/me", headers={"Authorization": f"Bearer {new.json()['token']}"})
    assert stale.status_code == 401


def test_audit_log_routes(client, admin, make_person) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/api/v1/audit-log", headers=admin.headers).json()
    assert page["total"] >= 2 and page["items"][0]["seq"] == page["total"]
    assert client.get("/api/v1/audit-log/verify", headers=admin.headers).json()["ok"] is True
    lines = client.get("/api/v1/audit-log/export", headers=admin.headers).text.splitlines()
    assert len(lines) == page["total"]
    maya = make_person("maya", "marketing")
    assert client.get("/api/v1/audit-log", headers=maya.headers).status_code == 403


def test_a_revoked_token_stops_at_once_despite_the_cache(client, make_person) -> None:  # type: ignore[no-untyped-def]
    maya = make_person("maya", "marketing")
    mine = client.get("/api/v1/tokens", headers=maya.headers).json()
    assert client.get("/api/v1/me", headers=maya.headers).status_code == 200  # now cached
    client.delete(f"/api/v1/tokens/{mine[0]['id']}", headers=maya.headers)
    assert client.get("/api/v1/me", headers=maya.headers).status_code == 401
