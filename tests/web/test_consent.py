"""The /consent page: coverage table, chart data for Plotly (no inline script), lookups."""

from __future__ import annotations

import json
import re

from steward.services import consent
from steward.services.runtime import Actor


def test_consent_page_shows_coverage_and_a_person(client, web_login, runtime) -> None:  # type: ignore[no-untyped-def]
    with runtime.unit(Actor.operator("t")) as unit:
        consent.record_events(unit, [
            {"subject": "w1@x", "purpose": "measurement", "status": "granted",
             "jurisdiction": "EU", "occurred_at": "2025-01-05T00:00:00Z"},
            {"subject": "w2@x", "purpose": "measurement", "status": "denied",
             "jurisdiction": "EU", "occurred_at": "2025-02-05T00:00:00Z"}])
    web_login("priya", "privacy")
    page = client.get("/consent")
    assert page.status_code == 200
    assert "50%" in page.text and "/static/vendor/plotly.min.js" in page.text
    data = re.search(r'id="consent-trend-data">(.*?)</script>', page.text, re.S).group(1)
    chart = json.loads(data)
    assert chart["measurement"]["EU"]["month"] == ["2025-01", "2025-02"]
    assert "<script>" not in page.text  # every script is a file or a JSON block (CSP)
    person = client.get("/consent", params={"subject": "w1@x"})
    assert 'id="person"' in person.text and "may be processed for measurement" in person.text
    assert client.get("/static/consent.js").status_code == 200


def test_consent_page_needs_a_consent_role(client, web_login) -> None:  # type: ignore[no-untyped-def]
    web_login("chloe", "committee")
    assert client.get("/consent").status_code == 200


def test_filter_and_opt_out_forms(client, web_login, runtime, settings) -> None:  # type: ignore[no-untyped-def]
    (settings.data_dir / "lists").mkdir(parents=True)
    (settings.data_dir / "lists" / "spring.csv").write_text("email\nw1@x\nw2@x\n")
    with runtime.unit(Actor.operator("t")) as unit:
        consent.record_events(unit, [{"subject": "w1@x", "purpose": "measurement",
                                      "status": "granted"}])
    csrf = web_login("priya", "privacy")
    page = client.get("/consent")
    assert 'id="filter-form"' in page.text and 'id="opt-out-form"' in page.text
    assert '<option value="lists/spring.csv"' in page.text

    filtered = client.post("/consent/filter", data={
        "csrf_token": csrf, "source": "lists/spring.csv", "target": "purpose:measurement",
        "subject_column": "email", "write_denied": "yes"})
    assert filtered.status_code == 200, filtered.text
    assert re.search(r'id="filter-allowed">1</span> of\s+2', filtered.text)
    assert "audiences/spring-refused-" in filtered.text
    missing = client.post("/consent/filter", data={
        "csrf_token": csrf, "source": "lists/spring.csv", "target": "purpose:measurement",
        "subject_column": "mail"})
    assert missing.status_code == 422 and "column &#39;mail&#39; not found" in missing.text
    assert str(settings.data_dir) not in missing.text
    assert client.post("/consent/filter", data={
        "source": "lists/spring.csv", "target": "purpose:measurement"}).status_code == 403

    listed = client.post("/consent/opt-outs", data={
        "csrf_token": csrf, "subjects": "w1@x\n\nw3@x\n", "purposes": "measurement"})
    assert listed.status_code == 200 and 'id="opt-out-result"' in listed.text
    assert "<strong>2</strong> opt-outs recorded" in listed.text
    uploaded = client.post("/consent/opt-outs", data={"csrf_token": csrf, "status": "denied"},
                           files={"file": ("unsubscribed.txt", b"w4@x\n", "text/plain")})
    assert "unsubscribed.txt" in uploaded.text and "denied" in uploaded.text
    both = client.post("/consent/opt-outs", data={"csrf_token": csrf, "subjects": "a@x"},
                       files={"file": ("x.txt", b"b@x\n", "text/plain")})
    assert both.status_code == 422 and "not both" in both.text
    with runtime.unit(Actor.operator("t")) as unit:
        state = consent.lookup(unit, "w1@x", purpose="measurement")["purposes"][0]
    assert state["status"] == "withdrawn"


def test_readers_see_no_forms(client, web_login) -> None:  # type: ignore[no-untyped-def]
    web_login("lena", "legal")
    page = client.get("/consent")
    assert 'id="filter-form"' not in page.text and 'id="opt-out-form"' not in page.text
    assert client.post("/consent/opt-outs", data={}).status_code == 403
