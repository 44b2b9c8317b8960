"""The demo's anonymized training set: a small invented customer table under ``<data_dir>/demo``,
planned and anonymized for the card offer model, kept as its ``dataset_anonymization`` evidence
(k-anonymity, l-diversity, the columns transformed, the output's SHA-256, the policy's judgement).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from sqlalchemy import select

from steward.engines.privacy.synthetic import synthetic_customers
from steward.services.privacy import anonymize, make_plan
from steward.services.runtime import Unit
from steward.storage.orm import AISystem

DEMO_SYSTEM = "Card offer propensity model"
ROWS = 2_000
SOURCE = "demo/card-customers.parquet"
OUTPUT = "demo/card-customers-anonymized.parquet"


def load_demo_privacy(unit: Unit, report: Any) -> None:
    """Anonymize the card model's training customers and keep the result as evidence."""
    system_id = unit.session.scalar(select(AISystem.id).where(AISystem.name == DEMO_SYSTEM))
    if system_id is None:
        return
    root = Path(unit.settings.data_dir)
    (root / "demo").mkdir(parents=True, exist_ok=True)
    if not (root / SOURCE).exists():
        pq.write_table(synthetic_customers(ROWS, seed=2026), root / SOURCE)
    (root / OUTPUT).unlink(missing_ok=True)
    plan = make_plan(unit, source=SOURCE, confine=True)
    result = anonymize(unit, source=SOURCE, plan=plan["plan"], out=OUTPUT, system_id=system_id,
                       confine=True, dataset_name="card offer training customers")
    after = result["risk_after"] or {}
    report.notes.append(
        f"anonymized training set for the card offer model: {result['rows_out']:,} rows, "
        f"k = {after.get('k_anonymity')}, verdict {result['verdict']} ({OUTPUT})")
