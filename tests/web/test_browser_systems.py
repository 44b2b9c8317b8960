"""Real Chromium: a person registers a system and classifies it through the guided form."""

import pytest

from steward.services import demo

from .conftest import sign_in

pytestmark = pytest.mark.browser


def test_register_and_classify_through_the_guided_form(runtime, page) -> None:  # type: ignore[no-untyped-def]
    demo.load_demo(runtime)
    sign_in(page, "maya", demo.DEMO_PASSWORD)
    page.click("text=AI systems")
    page.click("text=Register a system")
    page.fill("input[name=name]", "Loan-offer scoring")
    page.fill("input[name=purpose]", "Decide which customers get a pre-approved loan offer")
    page.check("input[name=ai_kinds][value=predictive_model]")
    page.check("input[name=channels][value=email]")
    page.fill("input[name=jurisdictions]", "EU, US-CA")
    page.click("text=Register and classify")
    page.wait_for_url("**/classify")

    # Only the questions that apply are shown.
    assert page.is_hidden("#q-solely_automated_decision_with_significant_effect")
    page.check("input[name=profiling]")
    assert page.is_visible("#q-solely_automated_decision_with_significant_effect")
    assert page.is_hidden("#q-human_editorial_review")
    page.check("input[name=uses][value=credit_offers_creditworthiness]")
    page.check("input[name=personal_data]")
    page.check("input[name=solely_automated_decision_with_significant_effect]")
    page.click("button:has-text('Classify')")
    page.wait_for_url("**/systems/*")

    assert page.inner_text("#tier") == "high"
    reasons = page.inner_text("#reasons")
    assert "Annex III" in reasons and "Art. 22" in reasons
    obligations = page.inner_text("#obligations")
    assert "EU AI Act" in obligations and "GDPR" in obligations
    assert page.locator("#obligations a[href^='https://eur-lex.europa.eu']").count() > 0
