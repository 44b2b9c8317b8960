"""The demo's propensity model: a small gradient-boosting model for the card offer, registered
on the "Card offer propensity model" system, explained, and documented in a first model card.

The customer table is generated deterministically (4,000 customers, written as Parquet under
``<data_dir>/demo``): spending, orders, tenure, online share, e-mail clicks, returns and whether
the customer already holds a card; the label is whether they took a past card offer. No
protected characteristic is a feature.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select

from steward.services import explain, model_cards
from steward.services.runtime import Unit
from steward.storage.orm import AISystem

DEMO_SYSTEM = "Card offer propensity model"
ROWS = 4_000
FEATURES = ("spend_12m", "orders_12m", "tenure_years", "online_share", "email_clicks_90d",
            "returns_rate", "store_card_holder")
DATA_FILE = "demo/card-offer-customers.parquet"
MODEL_FILE = "demo/card-offer-propensity.joblib"
DEMO_CUSTOMER = 1009
"""A customer the model offers the card to (probability 0.71), for the customer text."""

CARD_FIELDS = {
    "overview": "A gradient-boosting classifier that scores each customer's likelihood to "
                "accept a Northwind store credit-card offer. Customers scoring 0.5 or more "
                "receive the pre-approved offer by e-mail or post; nobody is refused credit by "
                "the model (the credit check happens at application).",
    "architecture": "scikit-learn GradientBoostingClassifier, 60 trees of depth 3, on seven "
                    "behavioural features from the customer account. Output: probability of "
                    "accepting the offer.",
    "intended_uses": "Choosing which existing customers receive the store card offer in the "
                     "quarterly campaign.",
    "intended_users": "The CRM team, who set the threshold and review each campaign list "
                      "before it is sent.",
    "out_of_scope_uses": "- Deciding credit limits or whether to grant credit\n"
                         "- Scoring prospects who are not yet customers\n"
                         "- Any use outside the EU and California campaigns it was tested on",
    "training_data": "Card applications and offer responses 2022–2025 (Northwind's own data), "
                     "customers with at least one order.",
    "evaluation_data": "A held-out 20% of customers, and the two quarterly decision tables "
                       "audited for fairness.",
    "performance_metrics": "Acceptance rate among those offered (precision) and reach across "
                           "age bands and genders (selection-rate ratio, four-fifths rule), "
                           "because the harm to avoid is excluding groups from a benefit.",
    "limitations": "Customers with short histories get low scores for lack of data, not lack of "
                   "interest. The model has not been tested on customers outside the EU and "
                   "California.",
    "ethical_considerations": "Customers aged 65 and over were selected less often in the "
                              "2025 audits; spending history may stand in for age or income.",
    "mitigations": "Quarterly fairness audits with the policy's four-fifths threshold; the "
                   "CRM team reviews every list; customers can opt out of personalised offers "
                   "and ask why they were chosen.",
}


def customer_table(seed: int = 5, rows: int = ROWS) -> Any:
    """The demo customers (pandas), deterministic for a seed."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    tenure = rng.integers(0, 16, rows)
    orders = rng.poisson(4 + tenure / 3, rows)
    spend = np.round(orders * rng.gamma(3.0, 45.0, rows), 2)
    online = np.round(rng.beta(2, 2, rows), 2)
    clicks = rng.poisson(2 + 3 * online, rows)
    returns = np.round(rng.beta(1.2, 12, rows), 3)
    holder = (rng.random(rows) < 0.15).astype(int)
    logit = (-3.2 + 0.0018 * spend + 0.09 * orders + 0.08 * tenure + 0.18 * clicks
             - 4.0 * returns - 1.5 * holder + rng.normal(0, 0.6, rows))
    took = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(int)
    return pd.DataFrame({"customer_id": np.arange(1001, 1001 + rows), "spend_12m": spend,
                         "orders_12m": orders, "tenure_years": tenure, "online_share": online,
                         "email_clicks_90d": clicks, "returns_rate": returns,
                         "store_card_holder": holder, "took_offer": took})


def train_model(table: Any) -> Any:
    from sklearn.ensemble import GradientBoostingClassifier

    return GradientBoostingClassifier(n_estimators=60, max_depth=3, random_state=0).fit(
        table[list(FEATURES)], table["took_offer"])


def write_demo_model(data_dir: Path) -> tuple[Path, Path]:
    """Write the customer table and the trained model under ``<data_dir>/demo``."""
    import joblib

    data_path, model_path = Path(data_dir) / DATA_FILE, Path(data_dir) / MODEL_FILE
    data_path.parent.mkdir(parents=True, exist_ok=True)
    table = customer_table()
    if not data_path.exists():
        table.to_parquet(data_path, index=False)
    if not model_path.exists():
        joblib.dump(train_model(table), model_path)
    return data_path, model_path


def load_demo_explanations(unit: Unit, report: Any) -> None:
    """Register the demo model, record its explanation, and save a first model card."""
    system_id = unit.session.scalar(select(AISystem.id).where(AISystem.name == DEMO_SYSTEM))
    if system_id is None:
        return
    _, model_path = write_demo_model(unit.settings.data_dir)
    model = explain.register_model(unit, system_id=system_id, path=model_path, version="2025.4",
                                   note="demo model trained on generated customers")
    result = explain.explain_model(unit, model=model["id"], data=DATA_FILE, confine=True,
                                   record=True)
    model_cards.save_card(unit, system_id, CARD_FIELDS, note="first version (demo)")
    top = ", ".join(g["feature"] for g in result["global_importance"][:3])
    report.notes.append(f"card offer propensity model registered (model {model['id']}), "
                        f"explained (top features: {top}) and documented in a model card; try "
                        f"`steward explain {model['id']} {Path(unit.settings.data_dir) / DATA_FILE}"
                        f" --row {DEMO_CUSTOMER}`")
