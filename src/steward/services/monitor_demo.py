"""The demo's monitoring: three monitors on the card offer and lookalike systems, run once.

- a weekly **drift** monitor of the card offer model's customer features against a profile of
  its training table; this week's customers spend more and shop online more, so it raises a
  critical alert, and the monitor asks for an incident, which the alert opens;
- a quarterly **fairness** monitor of the card offer decisions (first run when the server's
  scheduler starts: ``steward demo`` serves with one);
- a **KPI** monitor of the lookalike audiences' opt-out rate against the policy's red limit,
  which the last months' figures exceed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from steward.services import monitor, monitors
from steward.services.audits_demo import write_demo_tables
from steward.services.explain_demo import DATA_FILE, customer_table
from steward.services.runtime import Unit
from steward.storage.orm import AISystem

CARD_SYSTEM = "Card offer propensity model"
LOOKALIKE_SYSTEM = "Lookalike audience builder"
CURRENT_FILE = "demo/card-offer-customers-this-week.parquet"
WEEK = 7 * 1440


def current_customers(rows: int = 3_000) -> Any:
    """This week's customers (pandas): they spend more, shop online more and click more e-mails
    than the customers the model was trained on."""
    table = customer_table(seed=23, rows=rows)
    table["spend_12m"] = (table["spend_12m"] * 1.6).round(2)
    table["online_share"] = (table["online_share"] * 0.5 + 0.45).clip(0, 1).round(2)
    table["email_clicks_90d"] = table["email_clicks_90d"] + 3
    return table


def _system_id(unit: Unit, name: str) -> int | None:
    return unit.session.scalar(select(AISystem.id).where(AISystem.name == name))


def load_demo_monitoring(unit: Unit, report: Any) -> None:
    """Profile the training table, add the three monitors, and run the drift and KPI ones."""
    card, lookalike = _system_id(unit, CARD_SYSTEM), _system_id(unit, LOOKALIKE_SYSTEM)
    if card is None or lookalike is None:
        return
    root = Path(unit.settings.data_dir)
    current = root / CURRENT_FILE
    if not current.exists():
        current_customers().to_parquet(current, index=False)
    features = ["spend_12m", "orders_12m", "tenure_years", "online_share", "email_clicks_90d",
                "returns_rate"]
    monitor.create_profile(unit, str(root / DATA_FILE), system_id=card,
                           name="training customers 2025", columns=features)
    drift = monitors.add_drift_monitor(unit, system_id=card, name="weekly customer drift",
                                       profile="training customers 2025", current=str(current),
                                       every_minutes=WEEK, open_incident=True)
    quarter = write_demo_tables(root)[-1]
    monitors.add_fairness_monitor(unit, system_id=card, name="quarterly fairness",
                                  source=str(quarter), groups=["gender", "age_band"],
                                  decision="offered", label="accepted", score="score",
                                  every_minutes=90 * 1440)
    kpi = monitors.add_kpi_monitor(unit, system_id=lookalike, name="opt-out rate",
                                   metric="opt_out_rate", window_days=60, every_minutes=1440)
    runs = monitors.run_due(unit, monitor_ids=[drift["id"], kpi["id"]])
    alerted = sum(1 for r in runs if r["alert_id"])
    report.notes.append(f"3 monitors (drift, fairness, KPI); the first run raised {alerted} "
                        f"alerts and the drift alert opened an incident — see /monitor")
