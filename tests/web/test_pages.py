"""The dashboard through a TestClient: log-in, CSRF, access declarations, error pages, headers."""

import pytest

from .conftest import login_csrf


def test_anonymous_visitor_is_sent_to_the_login_form(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/"
    assert "Log in to Steward" in client.get("/").text


def test_login_shows_the_home_page_and_logout_ends_it(client, web_login) -> None:  # type: ignore[no-untyped-def]
    csrf = web_login("chloe", "committee")
    home = client.get("/")
    assert "Welcome, chloe" in home.text
    assert client.post("/logout", data={"csrf_token": csrf}).url.path == "/login"
    assert client.get("/", follow_redirects=False).status_code == 303


def test_wrong_password_is_refused_in_the_form(client, make_person) -> None:  # type: ignore[no-untyped-def]
    make_person("maya", "marketing")
    token = login_csrf(client.get("/login").text)
    response = client.post("/login", data={"username": "maya", "password": "wrong-password",
                                           "login_csrf": token})
    assert response.status_code == 401 and "wrong password" in response.text


def test_login_without_its_csrf_token_is_refused(client, make_person) -> None:  # type: ignore[no-untyped-def]
    person = make_person("maya", "marketing")
    client.get("/login")
    response = client.post("/login", data={"username": "maya", "password": person.password,
                                           "login_csrf": "forged"})
    assert response.status_code == 403 and "expired" in response.text


def test_forms_without_the_session_csrf_token_are_refused(client, web_login) -> None:  # type: ignore[no-untyped-def]
    web_login("maya", "marketing")
    response = client.post("/logout", data={"csrf_token": "forged"})
    assert response.status_code == 403
    assert "did not come from this site" in response.text


def test_pages_enforce_their_roles_with_an_html_error(client, web_login) -> None:  # type: ignore[no-untyped-def]
    web_login("maya", "marketing")
    response = client.get("/audit-log")
    assert response.status_code == 403 and response.headers["content-type"].startswith("text/html")
    assert "may not see /audit-log" in response.text


def test_audit_log_page_shows_entries_and_chain_status(client, web_login) -> None:  # type: ignore[no-untyped-def]
    web_login("leo", "legal")
    response = client.get("/audit-log")
    assert response.status_code == 200
    assert "Chain verified" in response.text and "user.create" in response.text
    assert client.get("/audit-log?page=0").status_code == 422


def test_unknown_page_is_an_html_404(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "text/html" in response.headers["content-type"]


@pytest.mark.parametrize("path", ["/login", "/healthz", "/api/v1/users"])
def test_security_headers(client, path: str) -> None:  # type: ignore[no-untyped-def]
    headers = client.get(path).headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"


def test_vendored_htmx_is_served_locally(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/static/vendor/htmx.min.js")
    assert response.status_code == 200 and "htmx" in response.text[:2000]


def test_repeated_failed_logins_are_throttled(client, make_person) -> None:  # type: ignore[no-untyped-def]
    person = make_person("maya", "marketing")
    for _ in range(5):
        token = login_csrf(client.get("/login").text)
        assert client.post("/login", data={"username": "maya", "password": "wrong-password",
                                           "login_csrf": token}).status_code == 401
    token = login_csrf(client.get("/login").text)
    blocked = client.post("/login", data={"username": "maya", "password": person.password,
                                          "login_csrf": token})
    assert blocked.status_code == 429 and "too many failed log-ins" in blocked.text.lower()


def test_session_id_changes_at_each_login(client, make_person) -> None:  # type: ignore[no-untyped-def]
    person = make_person("maya", "marketing")
    ids = []
    for _ in range(2):
        token = login_csrf(client.get("/login").text)
        client.post("/login", data={"username": "maya", "password": person.password,
                                    "login_csrf": token})
        ids.append(client.cookies.get("steward_session"))
        client.cookies.clear()
    assert ids[0] and ids[1] and ids[0] != ids[1]
