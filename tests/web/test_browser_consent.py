"""Real Chromium: a privacy officer reads consent coverage per purpose and jurisdiction with its
Plotly charts (offline, no console error, no request leaving the app), filters a system's
audience file and opts people out from an upload, from the /consent page."""

from __future__ import annotations

import os

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from steward.services import consent, systems, users
from steward.services.runtime import Actor, Runtime

from .conftest import sign_in

pytestmark = pytest.mark.browser

PEOPLE = [f"c{i}@example.com" for i in range(12)]


def seed(runtime: Runtime, operator: Actor) -> int:
    events = []
    for i, subject in enumerate(PEOPLE):
        place = "EU" if i % 2 else "US-CA"
        for month, status in ((1, "granted"), (3, "withdrawn" if i % 3 == 0 else "granted")):
            events.append({"subject": subject, "purpose": "targeted_advertising",
                           "status": status, "jurisdiction": place,
                           "occurred_at": f"2025-0{month}-1{i % 9}T09:00:00Z"})
        events.append({"subject": subject, "purpose": "email_marketing",
                       "status": "granted" if i % 4 else "denied", "jurisdiction": place,
                       "occurred_at": "2025-02-01T09:00:00Z"})
    with runtime.unit(operator) as unit:
        users.add_user(unit, username="maya", roles="marketing")
        consent.record_events(unit, events)
        sid = systems.create_system(unit, {
            "name": "Lookalike audience builder", "purpose": "lookalikes", "owner": "maya",
            "ai_kinds": ["segmentation"], "consent_purposes": ["targeted_advertising"]})["id"]
    folder = runtime.settings.data_dir / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"email": PEOPLE + ["stranger@example.com"],
                             "segment": ["lapsed"] * (len(PEOPLE) + 1)}),
                   folder / "lookalike-upload.parquet")
    return sid


def test_consent_dashboard_filter_and_opt_out(page, make_person, runtime, operator,  # type: ignore[no-untyped-def]
                                              tmp_path) -> None:
    sid = seed(runtime, operator)
    person = make_person("priya", "privacy")
    sign_in(page, "priya", person.password)
    page.click("nav >> text=Consent")
    page.wait_for_url("**/consent")

    coverage = page.inner_text("#coverage table")
    for expected in ("targeted_advertising", "email_marketing", "EU", "US-CA"):
        assert expected in coverage
    page.wait_for_selector("#consent-chart-1.js-plotly-plot")
    page.wait_for_selector("#consent-chart-2.js-plotly-plot")
    assert page.locator(".consent-chart.js-plotly-plot").count() == 2
    legend = page.inner_text("[data-purpose=targeted_advertising]")
    assert "EU" in legend and "US-CA" in legend  # one line per jurisdiction
    assert page.locator("[data-purpose=targeted_advertising] .scatterlayer .trace").count() == 2

    page.select_option("#filter-form select[name=source]", "demo/lookalike-upload.parquet")
    page.select_option("#filter-form select[name=target]", f"system:{sid}")
    page.fill("#filter-form input[name=subject_column]", "email")
    page.check("#filter-form input[name=write_denied]")
    page.click("#run-filter")
    page.wait_for_selector("#filter-result")
    # c0, c3, c6, c9 withdrew; the stranger is not on record; the other 8 consented
    assert page.inner_text("#filter-allowed") == "8"
    reasons = page.inner_text("#filter-reasons")
    assert "withdrawn\t4" in reasons and "no record\t1" in reasons
    assert page.inner_text("#filter-verdict") in ("pass", "warn", "block")
    outputs = page.inner_text("#filter-outputs")
    assert "audiences/lookalike-upload-allowed-" in outputs and "refused rows" in outputs
    assert page.get_attribute("#filter-result a", "href") == f"/systems/{sid}"
    if os.environ.get("STEWARD_SCREENSHOTS"):
        page.screenshot(path=os.environ["STEWARD_SCREENSHOTS"] + "/consent.png", full_page=True)

    suppression = tmp_path / "suppression.csv"
    suppression.write_text("email\nc1@example.com\nc2@example.com\n")
    page.set_input_files("#opt-out-form input[type=file]", str(suppression))
    page.fill("#opt-out-form input[name=subject_column]", "email")
    page.check("#opt-out-form input[name=purposes][value=targeted_advertising]")
    page.click("#run-opt-out")
    page.wait_for_selector("#opt-out-result")
    assert "suppression.csv: 2 opt-outs recorded" in page.inner_text("#opt-out-result")
    page.wait_for_selector("#consent-chart-1.js-plotly-plot")  # the page redrew its charts

    page.fill("#lookup input[name=subject]", "c1@example.com")
    page.click("#lookup button[type=submit]")
    page.wait_for_selector("#person")
    row = page.locator("#person tr", has_text="targeted_advertising").inner_text()
    assert "withdrawn" in row and "no" in row
