"""The authorization matrix: every route and page × every role, anonymous, a revoked token and an
expired external auditor. The expected allow or deny comes from each route's own declaration."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from steward.api.deps import declared_routes
from steward.core.roles import Role
from steward.services import tokens
from steward.services.runtime import Actor, Runtime
from steward.storage.orm import User

from ..web.conftest import login_csrf, session_csrf  # noqa: TID252

ROLES = [r.value for r in Role]
SKIP_PATHS = {"/logout"}  # ends the session the matrix is using; tested in tests/web


@pytest.fixture
def database_url(tmp_path: Path, sqlite_template: Path):  # type: ignore[no-untyped-def]
    """The matrix is about declarations, not SQL: SQLite only keeps it quick."""
    path = tmp_path / "steward.db"
    shutil.copyfile(sqlite_template, path)
    yield f"sqlite:///{path}"


@pytest.fixture
def identities(runtime: Runtime, make_person):  # type: ignore[no-untyped-def]
    people = {role: make_person(f"p-{role.replace('_', '-')}", role) for role in ROLES}
    revoked = make_person("revoked", "admin")
    expired = make_person("expired", "auditor", external=True,
                          expires_at=datetime.now(UTC) + timedelta(days=1))
    with runtime.unit(Actor.operator("t")) as unit:
        for view in tokens.list_tokens(unit, username="revoked"):
            tokens.revoke_token(unit, view.id)
        user = unit.session.scalar(select(User).where(User.username == "expired"))
        user.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    return people, revoked, expired


def _path(template: str) -> str:
    return re.sub(r"\{[^}]+\}", "999999", template)  # ids that exist nowhere: no side effects


def _api_routes(app):  # type: ignore[no-untyped-def]
    for route in declared_routes(app):
        if route.path.startswith("/api/") and route.access is not None:
            for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
                yield route, method, _path(route.path)


def test_api_matrix(app, client, identities) -> None:  # type: ignore[no-untyped-def]
    people, revoked, expired = identities
    checked = 0
    for route, method, path in _api_routes(app):
        for role, person in people.items():
            response = client.request(method, path, headers=person.headers, json={})
            allowed = route.access.allows({Role(role)})
            if allowed:  # an object-level refusal (someone else's token, say) may still be a 403
                assert response.status_code != 401, (role, method, path)
                assert f"may not {method} {path}" not in response.text, (role, method, path)
            else:
                assert response.status_code == 403, (role, method, path, response.status_code)
            checked += 1
        for who, headers in (("anonymous", {}), ("revoked", revoked.headers),
                             ("expired auditor", expired.headers)):
            response = client.request(method, path, headers=headers, json={})
            expected = 200 if route.access.public else 401
            if route.access.public:
                assert response.status_code not in (401, 403), (who, method, path)
            else:
                assert response.status_code == expected, (who, method, path)
            checked += 1
    assert checked > 500


def _web_routes(app):  # type: ignore[no-untyped-def]
    for route in declared_routes(app):
        if not route.path.startswith("/api/") and route.access is not None \
                and route.path not in SKIP_PATHS and route.path not in ("/healthz", "/readyz"):
            for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
                yield route, method, _path(route.path)


def test_web_matrix(app, client, identities) -> None:  # type: ignore[no-untyped-def]
    people, _, _ = identities
    routes = list(_web_routes(app))
    assert len(routes) > 20
    for role, person in people.items():
        client.cookies.clear()
        token = login_csrf(client.get("/login").text)
        home = client.post("/login", data={"username": person.username,
                                           "password": person.password, "login_csrf": token})
        csrf = session_csrf(home.text)
        for route, method, path in routes:
            if route.access.public:
                continue
            data = {"csrf_token": csrf} if method != "GET" else None
            response = client.request(method, path, data=data, follow_redirects=False)
            if route.access.allows({Role(role)}):
                assert f"may not see {path}" not in response.text, (role, method, path)
                assert not (response.status_code == 303 and
                            response.headers["location"].startswith("/login")), (role, path)
            else:
                assert response.status_code == 403, (role, method, path, response.status_code)
                assert f"may not see {path}" in response.text
    client.cookies.clear()
    for route, method, path in routes:
        if route.access.public:
            continue
        response = client.request(method, path, follow_redirects=False)
        assert response.status_code in (303, 403), (method, path)
        if method == "GET":
            assert response.headers["location"].startswith("/login?next=")
