"""The demo's consent ledger: a year of Northwind's customers' choices.

2,000 customers in the EU, the UK, California and other US states (``c0001@northwind.example``
…), deterministic: sign-up consent from the web form, later changes of mind, withdrawals, a CMP
import with TC strings, and Global Privacy Control from some US browsers. Then the lookalike
audience builder's latest upload list is filtered by consent, which leaves ``audience_filter``
evidence on that system.
"""

from __future__ import annotations

import csv
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import select

from steward.engines.consent import encode_tc_string
from steward.engines.consent.tcf import TCString
from steward.services import consent, consent_audience, consent_ingest
from steward.services.runtime import Unit
from steward.storage.orm import AISystem

CUSTOMERS = 2_000
PLACES = (("EU", 0.45), ("UK", 0.15), ("US-CA", 0.25), ("US-TX", 0.15))
PURPOSES = (("email_marketing", 0.7), ("personalised_advertising", 0.45),
            ("targeted_advertising", 0.35), ("personalised_content", 0.6),
            ("personalised_offers", 0.5), ("measurement", 0.8))
NOTICE = ("privacy-notice", "2025-03")
AUDIENCE_SYSTEM = "Lookalike audience builder"
START = datetime(2025, 1, 1, tzinfo=UTC)


def _customer(i: int) -> str:
    return f"c{i:04d}@northwind.example"


def _events(rng: np.random.Generator) -> list[dict[str, Any]]:
    places = rng.choice([p for p, _ in PLACES], size=CUSTOMERS, p=[w for _, w in PLACES])
    rows: list[dict[str, Any]] = []
    for i in range(CUSTOMERS):
        signup = START + timedelta(days=int(rng.integers(0, 330)), minutes=int(rng.integers(0,
                                                                                         1440)))
        for purpose, rate in PURPOSES:
            us = str(places[i]).startswith("US")
            if us and purpose in ("email_marketing", "targeted_advertising", "measurement") \
                    and rng.random() < 0.5:
                continue  # opt-out regimes: many US customers are never asked
            status = "granted" if rng.random() < rate else "denied"
            rows.append({"subject": _customer(i), "purpose": purpose, "status": status,
                         "lawful_basis": "consent", "source": "web_form", "notice": NOTICE[0],
                         "notice_version": NOTICE[1], "jurisdiction": str(places[i]),
                         "occurred_at": signup.isoformat()})
            if status == "granted" and rng.random() < 0.12:
                later = signup + timedelta(days=int(rng.integers(5, 200)))
                if later < START + timedelta(days=364):
                    rows.append({**rows[-1], "status": "withdrawn", "source": "web_form",
                                 "occurred_at": later.isoformat()})
    return rows


def _tc_string(consents: set[int], when: datetime) -> str:
    return encode_tc_string(TCString(
        created=when, last_updated=when, cmp_id=300, cmp_version=2, consent_screen=1,
        consent_language="EN", vendor_list_version=150, purpose_consents=frozenset(consents),
        purpose_legitimate_interests=frozenset({7, 8, 9, 10}), publisher_country_code="DE"))


def load_demo_consent(unit: Unit, report: Any) -> None:
    """Fill the ledger, add CMP strings and GPC signals, filter one audience."""
    rng = np.random.default_rng(2025)
    rows = _events(rng)
    with tempfile.TemporaryDirectory(prefix="steward-demo-consent-") as folder:
        path = Path(folder) / "web-form-consents.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        consent_ingest.ingest_file(unit, path)
    when = START + timedelta(days=300)
    for i in range(0, 120, 3):
        consents = {1, 3, 4, 7} if i % 2 else {1, 7, 8}
        consent.record_string(unit, _customer(i), _tc_string(consents, when), jurisdiction="EU",
                              idempotency_key=f"demo-cmp-{i}")
    for i in range(1, 200, 9):
        consent.record_gpc(unit, _customer(i), jurisdiction="US-CA")
    audience_note = _filter_audience(unit)
    report.notes.append(f"consent ledger: {len(rows)} web-form events for {CUSTOMERS} customers, "
                        f"40 CMP strings, 23 GPC signals; {audience_note}")


def _filter_audience(unit: Unit) -> str:
    system_id = unit.session.scalar(select(AISystem.id).where(AISystem.name == AUDIENCE_SYSTEM))
    if system_id is None:
        return "no audience filtered"
    folder = Path(unit.settings.data_dir) / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    ids = range(0, CUSTOMERS, 2)
    table = pa.table({"email": [_customer(i).upper() if i % 10 == 0 else _customer(i)
                                for i in ids],
                      "segment": ["lapsed" if i % 3 else "loyal" for i in ids]})
    source = folder / "lookalike-upload.parquet"
    pq.write_table(table, source)
    result = consent_audience.filter_audience(
        unit, str(source), subject_column="email", system_id=system_id,
        allowed_out=folder / "lookalike-upload.allowed.parquet",
        denied_out=folder / "lookalike-upload.refused.csv", name="lookalike-upload.parquet",
        criteria=["user.behavior.purchase_history"])
    return (f"lookalike upload filtered: {result['allowed']} of {result['rows']} may be "
            f"shared (policy {result['verdict']})")
