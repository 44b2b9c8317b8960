"""Web fixtures: a logged-in TestClient, and a live server with Chromium for browser tests."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


def sign_in(page, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    """Log in through the real form in the browser and wait for the home page."""
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def login_csrf(html: str) -> str:
    match = re.search(r'name="login_csrf" value="([^"]+)"', html)
    assert match, "no log-in CSRF token in the page"
    return match.group(1)


def session_csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


@pytest.fixture
def web_login(client, make_person):  # type: ignore[no-untyped-def]
    """Log a new person with the given roles into ``client``; returns the home page's CSRF token."""

    def login(username: str, roles: str) -> str:
        person = make_person(username, roles)
        token = login_csrf(client.get("/login").text)
        response = client.post("/login", data={"username": username, "password": person.password,
                                               "login_csrf": token, "next": "/"})
        assert response.status_code == 200, response.text
        return session_csrf(response.text)

    return login


@pytest.fixture
def live_server(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_server):  # type: ignore[no-untyped-def]
    """A fresh browser page; fails the test on console errors or requests leaving the app."""
    context = browser.new_context(base_url=live_server)
    tab = context.new_page()
    problems: list[str] = []
    tab.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}")
           if msg.type == "error" else None)
    tab.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    tab.on("request", lambda req: problems.append(f"external request: {req.url}")
           if not req.url.startswith(live_server) and not req.url.startswith("data:") else None)
    tab.allowed_errors = []  # a test that provokes an error page on purpose lists it here
    yield tab
    context.close()
    assert [p for p in problems if not any(a in p for a in tab.allowed_errors)] == []
