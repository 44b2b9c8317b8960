"""The demo's fairness audits: two quarters of card-offer decisions, audited on the card offer
model, so its page shows ``fairness_audit`` evidence and the comparison of the two runs.

The tables are generated deterministically (20,000 decisions each) and written as Parquet under
``<data_dir>/demo``: gender, age band and region; the model's propensity score, the offer
decision (score >= 0.5) and whether the customer took the card up. Customers aged 65 and over
are under-scored — more so in the earlier quarter — which gives them a lower selection rate:
the audit's adverse-impact finding.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import select

from steward.services.audits import run_fairness_audit
from steward.services.runtime import Unit
from steward.storage.orm import AISystem

DEMO_SYSTEM = "Card offer propensity model"
ROWS = 20_000
AGE_BANDS = ("18-24", "25-39", "40-54", "55-64", "65+")
GROUP_NOTE = ("Gender is self-declared at account opening (X: another or undisclosed); the age "
              "band is derived from the date of birth on file; region from the billing address.")
QUARTERS = (("2025-q3", 11, 0.12), ("2025-q4", 12, 0.04))
"""(name, random seed, how much the model under-scores customers aged 65 and over)."""


def decision_table(seed: int, *, older_penalty: float, rows: int = ROWS) -> pa.Table:
    """One quarter of card-offer decisions (deterministic for a seed)."""
    rng = np.random.default_rng(seed)
    gender = rng.choice(np.array(["F", "M", "X"]), size=rows, p=[0.49, 0.49, 0.02])
    age_band = rng.choice(np.array(AGE_BANDS), size=rows, p=[0.12, 0.3, 0.28, 0.17, 0.13])
    region = rng.choice(np.array(["north", "south", "east", "west"]), size=rows,
                        p=[0.3, 0.25, 0.25, 0.2])
    spend = rng.gamma(2.0, 1.0, size=rows)
    logit = -0.9 + 0.55 * spend + rng.normal(0, 0.8, size=rows)
    truth = 1 / (1 + np.exp(-logit))
    older = age_band == "65+"
    score = np.clip(truth - np.where(older, older_penalty, 0.0) + rng.normal(0, 0.03, rows),
                    0, 1)
    offered = (score >= 0.5).astype(np.int8)
    accepted = (rng.random(rows) < truth).astype(np.int8)
    return pa.table({"customer_id": np.arange(1, rows + 1), "gender": gender,
                     "age_band": age_band, "region": region,
                     "score": np.round(score, 4), "offered": offered, "accepted": accepted})


def write_demo_tables(data_dir: Path) -> list[Path]:
    folder = Path(data_dir) / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, seed, penalty in QUARTERS:
        path = folder / f"card-offers-{name}.parquet"
        if not path.exists():
            pq.write_table(decision_table(seed, older_penalty=penalty), path)
        paths.append(path)
    return paths


def load_demo_audits(unit: Unit, report: Any) -> None:
    """Audit both quarters on the card offer model (the second is compared with the first)."""
    system_id = unit.session.scalar(select(AISystem.id).where(AISystem.name == DEMO_SYSTEM))
    if system_id is None:
        return
    paths = write_demo_tables(unit.settings.data_dir)
    root = Path(unit.settings.data_dir)
    results = [run_fairness_audit(
        unit, source=str(path.relative_to(root)), groups=["gender", "age_band"],
        decision="offered", label="accepted", score="score", intersections=True,
        system_id=system_id, confine=True, group_data_note=GROUP_NOTE) for path in paths]
    verdicts = " then ".join(r["verdict"] for r in results)
    report.notes.append(f"two quarterly fairness audits of the card offer model ({verdicts}); "
                        f"tables under {root / 'demo'}")
