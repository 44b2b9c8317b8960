"""Every error from every API route is RFC 9457 problem+json with at least title and status."""

import re

import pytest

from steward.api.deps import declared_routes


def _assert_problem(response) -> dict:  # type: ignore[no-untyped-def]
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    body = response.json()
    assert isinstance(body["title"], str) and body["title"]
    assert body["status"] == response.status_code
    return body


def _api_routes(app):  # type: ignore[no-untyped-def]
    for route in declared_routes(app):
        if route.path.startswith("/api/"):
            path = re.sub(r"\{[^}]+\}", "1", route.path)
            for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
                yield route, method, path


def test_anonymous_calls_get_401_problems(app, client) -> None:  # type: ignore[no-untyped-def]
    for route, method, path in _api_routes(app):
        if route.access.public:
            continue
        response = client.request(method, path)
        assert response.status_code == 401, (method, path)
        _assert_problem(response)
        assert response.headers["www-authenticate"] == "Bearer"


def test_bad_token_gets_401(client) -> None:  # type: ignore[no-untyped-def]
    for header in ("Bearer stw_not-a-real-token", "Basic abc", "Bearer"):
        response = client.get("/api/v1/users", headers={"Authorization": header})
        assert response.status_code == 401
        _assert_problem(response)


def test_forbidden_calls_get_403_problems(app, client, make_person) -> None:  # type: ignore[no-untyped-def]
    auditor = make_person("auditor1", "auditor")
    for route, method, path in _api_routes(app):
        access = route.access
        if access.public or access.allows({"auditor"}):  # type: ignore[arg-type]
            continue
        response = client.request(method, path, headers=auditor.headers, json={})
        assert response.status_code == 403, (method, path, response.text)
        _assert_problem(response)


def test_admin_calls_with_junk_never_5xx(app, client, admin) -> None:  # type: ignore[no-untyped-def]
    for _route, method, path in _api_routes(app):
        for body in (None, {}, {"unexpected": [1, 2]}, "not json"):
            kwargs = {"json": body} if not isinstance(body, str) else {"content": body}
            response = client.request(method, path, headers=admin.headers, **kwargs)
            assert response.status_code < 500, (method, path, response.text)
            if response.status_code >= 400:
                _assert_problem(response)


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v1/users/nobody"])
def test_not_found_is_a_problem(client, admin, path: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(path, headers=admin.headers)
    assert response.status_code == 404
    _assert_problem(response)


def test_validation_errors_are_422_problems_naming_the_field(client, admin) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/users", headers=admin.headers,
                           json={"username": "x", "roles": []})
    body = _assert_problem(response)
    assert response.status_code == 422 and "username" in body["detail"]
    response = client.post("/api/v1/users", headers=admin.headers,
                           json={"username": "bob", "roles": ["wizard"]})
    assert response.status_code == 422
    assert "wizard" in _assert_problem(response)["detail"]


def test_method_not_allowed_is_a_problem(client) -> None:  # type: ignore[no-untyped-def]
    response = client.put("/healthz")
    assert response.status_code == 405
    _assert_problem(response)


def test_ids_beyond_the_database_integers_are_4xx(client, admin) -> None:  # type: ignore[no-untyped-def]
    huge = 2**70
    for path in (f"/api/v1/systems/{huge}", f"/api/v1/incidents/{huge}",
                 f"/api/v1/reviews/{huge}"):
        response = client.get(path, headers=admin.headers)
        assert 400 <= response.status_code < 500, (path, response.status_code)
        _assert_problem(response)


def test_an_unexpected_error_still_carries_the_security_headers(app) -> None:  # type: ignore[no-untyped-def]
    """A 500 is answered by Starlette's outermost middleware, outside the security headers'."""
    from fastapi.testclient import TestClient

    @app.get("/api/v1/boom-for-test")
    def boom() -> None:
        raise RuntimeError("boom")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/v1/boom-for-test")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "default-src" in response.headers["content-security-policy"]
