"""Real Chromium through Playwright: a demo user logs in and sees the home page."""

import pytest

from steward.services import demo

pytestmark = pytest.mark.browser


def test_demo_user_logs_in_and_sees_home(runtime, page) -> None:  # type: ignore[no-untyped-def]
    demo.load_demo(runtime)
    page.goto("/")
    assert page.url.endswith("/login?next=/")
    page.fill("input[name=username]", "chloe")
    page.fill("input[name=password]", demo.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    assert page.inner_text("h1") == "Welcome, Chloe Chair"
    page.click("text=Audit log")
    page.wait_for_url("**/audit-log")
    assert "Chain verified" in page.inner_text("main")
    page.click("text=Log out")
    page.wait_for_url("**/login")
