"""Privacy pages: scan a table under the data directory, review the plan, anonymize, read the
result; the risk page; who may see them."""

from __future__ import annotations

import html
import re

import pyarrow.parquet as pq

from steward.engines.privacy.synthetic import synthetic_customers


def test_scan_review_anonymize_and_read(client, web_login, settings) -> None:  # type: ignore[no-untyped-def]
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    pq.write_table(synthetic_customers(800, seed=4), settings.data_dir / "customers.parquet")
    csrf = web_login("priya", "privacy")
    index = client.get("/privacy")
    assert index.status_code == 200 and "customers.parquet" in index.text
    scan = client.get("/privacy/scan?source=customers.parquet")
    assert scan.status_code == 200 and 'id="discovery"' in scan.text
    plan = re.search(r'<textarea name="plan"[^>]*>(.*?)</textarea>', scan.text, re.S).group(1)
    plan = html.unescape(plan)
    assert "email: {transform: pseudonym" in plan
    done = client.post("/privacy/anonymize", data={"csrf_token": csrf,
                                                   "source": "customers.parquet",
                                                   "plan": plan, "purpose": "model_training"},
                       follow_redirects=False)
    assert done.status_code == 303, done.text
    page = client.get(done.headers["location"])
    assert page.status_code == 200 and 'id="risk-after"' in page.text
    assert '<span id="verdict">pass</span>' in page.text
    assert ">JS distance</th>" in page.text and re.search(r'<td class="psi">0\.\d{4}</td>',
                                                           page.text)

    bad = client.post("/privacy/anonymize", data={"csrf_token": csrf,
                                                  "source": "customers.parquet",
                                                  "plan": "columns:\n  ghost: drop\n"})
    assert bad.status_code == 422 and "column &#39;ghost&#39;" in bad.text

    risk = client.get("/privacy/risk?source=customers.parquet&qi=gender,state&k=5")
    assert risk.status_code == 200 and 'id="risk"' in risk.text


def test_marketing_may_not_scan(client, web_login) -> None:  # type: ignore[no-untyped-def]
    web_login("maya", "marketing")
    assert client.get("/privacy").status_code == 200
    assert client.get("/privacy/scan?source=x.parquet").status_code == 403
