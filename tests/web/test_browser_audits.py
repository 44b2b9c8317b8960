"""Real Chromium: a person uploads a decision table, runs a fairness audit from the web page,
and reads the verdict and the Plotly charts (offline, no console errors)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from .conftest import sign_in

pytestmark = pytest.mark.browser

CSV = "gender,age_band,score,offered,took_up\n" + "".join(
    f"{'F' if i % 2 else 'M'},{'65+' if i % 5 == 0 else '18-64'},{(i * 37 % 100) / 100:.2f},"
    f"{int(i * 37 % 100 >= 50)},{int((i * 7) % 10 < (i * 37 % 100) / 10)}\n"
    for i in range(600))


def test_run_an_audit_from_the_web_page(page, make_person, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    person = make_person("dana", "data_science")
    table = tmp_path / "card-offers.csv"
    table.write_text(CSV)

    sign_in(page, "dana", person.password)
    page.click("nav >> text=Audits")
    page.wait_for_url("**/audits")

    page.set_input_files("#upload-form input[type=file]", str(table))
    page.click("#upload-form button[type=submit]")
    page.wait_for_url("**/audits/new?source=uploads/*")
    page.check("#group-columns input[value=gender]")
    page.check("#group-columns input[value=age_band]")
    page.select_option("select[name=decision]", "offered")
    page.select_option("select[name=label]", "took_up")
    page.select_option("select[name=score]", "score")
    page.fill("textarea[name=group_data_note]", "Self-declared at sign-up")
    page.click("#run-audit")
    page.wait_for_url(re.compile(r".*/audits/\d+$"))

    assert page.inner_text("#verdict") in ("pass", "warn", "fail")
    page.wait_for_selector("#chart-selection.js-plotly-plot")
    page.wait_for_selector("#chart-ratio.js-plotly-plot")
    page.wait_for_selector("#chart-calibration.js-plotly-plot")
    assert page.locator(".js-plotly-plot").count() == 3
    assert "gender=F" in page.inner_text("#chart-selection")  # the axis shows the groups
    assert page.locator("#chart-ratio .shapelayer path").count() >= 1  # the 0.8 line
    if os.environ.get("STEWARD_SCREENSHOTS"):
        page.screenshot(path=os.environ["STEWARD_SCREENSHOTS"] + "/audit.png", full_page=True)

    page.click("#report-link")
    page.wait_for_url("**/report")
    assert "How group data was obtained" in page.inner_text("body")
    assert "Self-declared at sign-up" in page.inner_text("#group-data")
    if os.environ.get("STEWARD_SCREENSHOTS"):
        page.screenshot(path=os.environ["STEWARD_SCREENSHOTS"] + "/report.png", full_page=True)
