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
