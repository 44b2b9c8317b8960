"""The demo's KPIs: six complete months of weekly figures for the systems in pilot or production,
so the scorecards and the dashboard's charts show real trends.

The figures are deterministic (a seeded generator) and tell a story: the e-mail copy's
click-through climbs while its opt-outs stay low; the chatbot saves more hours each month and its
satisfaction recovers after the discount incident; the lookalike audiences convert but their
opt-out rate creeps up past the policy's target; the card offer pilot converts well on few
offers. They are ingested through :func:`steward.services.kpis.ingest`, so they are audited.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from steward.services import kpis
from steward.services.runtime import Unit
from steward.storage.orm import AISystem

MONTHS = 6
Profile = dict[str, tuple[float, float]]
"""metric: (value in the first month, value in the last month) — a weekly figure."""

PROFILES: dict[str, tuple[tuple[str, ...], Profile]] = {
    "GenAI email copy": (("spring-2026", "loyalty-newsletter"), {
        "impressions": (42_000, 51_000), "click_through": (0.021, 0.029),
        "conversion": (0.018, 0.022), "revenue": (38_000, 52_000), "cost": (2_400, 2_100),
        "hours_saved": (30, 46), "opt_out_rate": (0.0036, 0.0031), "complaints": (1, 0)}),
    "Customer-service chatbot": (("", ), {
        "customer_satisfaction": (4.2, 4.1), "hours_saved": (160, 240), "cost": (3_000, 3_000),
        "complaints": (3, 2)}),
    "Card offer propensity model": (("pre-approved-card",), {
        "impressions": (3_000, 3_400), "conversion": (0.041, 0.046), "revenue": (21_000, 26_000),
        "cost": (1_800, 1_700), "complaints": (0, 1)}),
    "Lookalike audience builder": (("summer-prospecting", "retargeting"), {
        "impressions": (180_000, 240_000), "click_through": (0.011, 0.012),
        "conversion": (0.006, 0.0065), "revenue": (45_000, 61_000), "cost": (14_000, 19_000),
        "opt_out_rate": (0.004, 0.0115), "complaints": (2, 7)}),
    "Product recommender": (("", ), {
        "impressions": (600_000, 660_000), "click_through": (0.034, 0.036),
        "revenue": (120_000, 135_000), "cost": (4_000, 4_000), "customer_satisfaction":
        (4.0, 4.3)}),
    "AI product imagery": (("social-spring",), {
        "impressions": (90_000, 130_000), "click_through": (0.014, 0.019),
        "hours_saved": (20, 34), "cost": (1_200, 1_500)}),
    "B2B lead scoring": (("", ), {
        "conversion": (0.09, 0.11), "revenue": (70_000, 82_000), "hours_saved": (25, 30)}),
}


def _weeks(today: date) -> list[date]:
    """Four reporting days (1st, 8th, 15th, 22nd) in each of the six complete months before
    this one, so every month sums the same number of weekly figures."""
    month = today.replace(day=1)
    months = []
    for _ in range(MONTHS):
        month = (month - timedelta(days=1)).replace(day=1)
        months.append(month)
    return [m.replace(day=d) for m in reversed(months) for d in (1, 8, 15, 22)]


def demo_rows(names: dict[str, int], *, today: date | None = None,
              seed: int = 7) -> list[dict[str, Any]]:
    """The weekly figures for the demo systems that exist (by name → id)."""
    rng = random.Random(seed)
    weeks = _weeks(today or date.today())
    rows: list[dict[str, Any]] = []
    for name, (campaigns, profile) in PROFILES.items():
        if name not in names:
            continue
        for i, week in enumerate(weeks):
            progress = i / max(1, len(weeks) - 1)
            for campaign in campaigns:
                share = 1 / len(campaigns)
                for metric, (start, end) in profile.items():
                    base = start + (end - start) * progress
                    additive = kpis.metric_info(metric).aggregate == "sum"
                    value = base * (share if additive else 1) * rng.uniform(0.93, 1.07)
                    if metric == "customer_satisfaction" and name.startswith("Customer") and \
                            0.45 < progress < 0.65:
                        value -= 0.5  # the month of the discount incident
                    value = round(value) if metric == "complaints" or value > 100 else \
                        round(value, 4)
                    rows.append({"date": week.isoformat(), "system": names[name],
                                 "campaign": campaign, "metric": metric, "value": value})
    return rows


def load_demo_kpis(unit: Unit, report: Any) -> None:
    """Ingest the demo KPIs through the KPI service (so they are in the audit log)."""
    names = dict(unit.session.execute(select(AISystem.name, AISystem.id)).all())
    rows = demo_rows(names)
    if not rows:
        return
    result = kpis.ingest(unit, rows, source="demo")
    report.notes.append(f"{result['figures']} weekly KPI figures over {MONTHS} months for "
                        f"{len(result['systems'])} systems")
