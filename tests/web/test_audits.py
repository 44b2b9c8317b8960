"""Audit pages: upload a table, pick its columns, run, read the verdict, charts and report."""

from __future__ import annotations

import json
import re

from steward.services import audits, systems
from steward.services.runtime import Actor

CSV = "gender,age_band,score,offered,took_up\n" + "".join(
    f"{g},{a},{s:.2f},{int(s >= 0.5)},{int((i * 7) % 10 < s * 10)}\n"
    for i, (g, a, s) in enumerate(
        (("F" if i % 2 else "M"), ("65+" if i % 5 == 0 else "18-64"), (i * 37 % 100) / 100)
        for i in range(600)))


def _upload(client, csrf: str) -> str:  # type: ignore[no-untyped-def]
    response = client.post("/audits/upload", data={"csrf_token": csrf},
                           files={"file": ("offers.csv", CSV.encode(), "text/csv")},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith("/audits/new?source=uploads/")
    return location.split("source=", 1)[1]


def test_upload_pick_columns_run_and_read(client, web_login, runtime) -> None:  # type: ignore[no-untyped-def]
    csrf = web_login("dan", "data_science")
    with runtime.unit(Actor.operator("t")) as unit:
        sid = systems.create_system(unit, {"name": "Offers", "purpose": "p", "owner": "dan",
                                           "ai_kinds": ["predictive_model"]})["id"]
    index = client.get("/audits")
    assert index.status_code == 200
    assert 'id="upload-form"' in index.text and "No fairness audits yet" in index.text
    source = _upload(client, csrf)

    form = client.get(f"/audits/new?source={source}")
    assert form.status_code == 200
    for column in ("gender", "age_band", "score", "offered", "took_up"):
        assert f'value="{column}"' in form.text or f">{column}<" in form.text
    assert source in client.get("/audits").text  # listed among the files on the server

    response = client.post("/audits/new", data={
        "csrf_token": csrf, "source": source, "groups": ["gender", "age_band"],
        "decision": "offered", "label": "took_up", "score": "score", "intersections": "yes",
        "system_id": str(sid), "group_data_note": "self-declared"}, follow_redirects=False)
    assert response.status_code == 303, response.text
    audit_url = response.headers["location"]
    evidence_id = int(audit_url.rsplit("/", 1)[1])

    page = client.get(audit_url)
    assert page.status_code == 200
    verdict = re.search(r'id="verdict">(\w+)<', page.text)
    assert verdict and verdict.group(1) in ("pass", "warn", "fail")
    for chart in ("chart-selection", "chart-ratio", "chart-calibration"):
        assert f'id="{chart}"' in page.text
    data = json.loads(re.search(r'id="audit-chart-data">(.*?)</script>', page.text, re.S)
                      .group(1))
    assert {g["label"] for g in data["groups"]} >= {"gender=F", "gender=M", "age_band=65+"}
    assert data["line"] == 0.8 and data["calibration"]
    assert "/static/vendor/plotly.min.js" in page.text and "/static/audits.js" in page.text
    assert "<script>" not in page.text  # no inline script (CSP)

    report = client.get(f"/audits/{evidence_id}/report")
    assert report.status_code == 200
    assert "self-declared" in report.text and "Data fingerprint" in report.text
    csp = report.headers["content-security-policy"]
    assert "style-src 'self' 'sha256-" in csp and "script-src 'self';" in csp

    system_page = client.get(f"/systems/{sid}")
    assert f'href="/audits/{evidence_id}"' in system_page.text
    assert f'href="/audits/{evidence_id}"' in client.get("/audits").text


def test_errors_are_shown_on_the_form(client, web_login) -> None:  # type: ignore[no-untyped-def]
    csrf = web_login("dan", "data_science")
    source = _upload(client, csrf)
    response = client.post("/audits/new", data={
        "csrf_token": csrf, "source": source, "groups": ["gender"], "decision": "offered",
        "threshold": "high"})
    assert response.status_code == 422 and "the threshold must be a number" in response.text
    response = client.post("/audits/new", data={
        "csrf_token": csrf, "source": source, "groups": ["gender"], "decision": "score"})
    assert response.status_code == 422 and "values other than 0 and 1" in response.text
    assert 'id="audit-form"' in response.text  # the form is still there to correct
    outside = client.get("/audits/new?source=../../etc/passwd")
    assert outside.status_code == 422 and "only files under the data directory" in outside.text
    bad = client.post("/audits/upload", data={"csrf_token": csrf},
                      files={"file": ("notes.txt", b"hello", "text/plain")})
    assert bad.status_code == 422 and "upload a .csv or .parquet file" in bad.text
    no_csrf = client.post("/audits/upload", files={"file": ("a.csv", b"a\n1\n", "text/csv")})
    assert no_csrf.status_code == 403


def test_readers_see_audits_but_cannot_run_them(client, web_login, runtime, settings) -> None:  # type: ignore[no-untyped-def]
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    (settings.data_dir / "t.csv").write_text(CSV)
    with runtime.unit(Actor.operator("t")) as unit:
        stored = audits.run_fairness_audit(unit, source="t.csv", groups=["gender"],
                                           decision="offered", confine=True, keep=True)
    csrf = web_login("audrey", "auditor")
    index = client.get("/audits")
    assert index.status_code == 200 and 'id="upload-form"' not in index.text
    assert client.get("/audits/new?source=t.csv").status_code == 403
    assert client.post("/audits/new", data={"csrf_token": csrf, "source": "t.csv"}
                       ).status_code == 403
    # an unattached audit is hidden from a restricted auditor
    assert client.get(f"/audits/{stored['evidence']['id']}").status_code == 404
