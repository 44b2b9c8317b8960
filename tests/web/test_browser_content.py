"""Real Chromium: a reviewer approves a flagged e-mail in the review queue."""

import pytest

from steward.services import demo

from .conftest import sign_in

pytestmark = pytest.mark.browser


def test_reviewer_approves_a_flagged_email(runtime, page) -> None:  # type: ignore[no-untyped-def]
    demo.load_demo(runtime)
    sign_in(page, "maya", demo.DEMO_PASSWORD)
    page.click("nav >> text=Content")
    page.fill("textarea[name=text]", "Spring boots are here! Clinically proven comfort.\n"
              "Advertisement. Unsubscribe: https://northwind.example/u\n"
              "Northwind Outfitters, 100 Harbor Street, Portland, OR 97201")
    page.select_option("select[name=channel]", "email")
    page.click("button[value=scan]")
    assert page.inner_text("#verdict") == "review"
    assert page.locator("mark.sev-review").first.inner_text().startswith("Clinically proven")
    page.click("button[value=submit]")
    page.wait_for_url("**/content/items/*")
    item_url = page.url
    assert page.inner_text("#status") == "pending_review"
    page.click("text=Log out")

    page.fill("input[name=username]", "leo")
    page.fill("input[name=password]", demo.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    page.goto("/content/reviews")
    page.click(f"#queue a[href='{item_url.split(page.url.split('/content')[0])[1]}']")
    page.fill("textarea[name=comment]", "Study on file; fine to send.")
    page.click("button[value=approve]")
    page.wait_for_url(item_url)
    assert page.inner_text("#status") == "approved"
    assert "leo" in page.inner_text("#receipt")
