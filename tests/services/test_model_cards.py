"""Model cards: filled from the inventory and the evidence, versioned, Annex IV for high risk,
rendered to HTML and PDF."""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path

import pytest

from steward.errors import Conflict, Forbidden, InvalidInput, NotFound
from steward.services import audit_log, evidence, model_cards, systems, users
from steward.services.audits import run_fairness_audit
from steward.services.audits_demo import decision_table
from steward.services.reports.model_card import model_card_pdf, render_model_card
from steward.services.runtime import Actor, Runtime

CARD = {"name": "Card offer propensity model", "purpose": "Score customers for the card offer",
        "owner": "dan", "ai_kinds": ["predictive_model"], "jurisdictions": ["EU"],
        "hosting": "our_cloud", "data_categories": ["user.financial"],
        "training_data_sources": [{"name": "Card applications", "owner": "Northwind",
                                   "licence": "own data"}]}
HIGH_RISK = {"role": "provider", "ai_kind": ["predictive_model"],
             "uses": ["credit_offers_creditworthiness"], "profiling": True,
             "solely_automated_decision_with_significant_effect": True, "personal_data": True}


@pytest.fixture
def system_id(runtime: Runtime, operator: Actor) -> int:
    with runtime.unit(operator) as unit:
        users.add_user(unit, username="dan", roles="data_science", password="x" * 12)
        users.add_user(unit, username="audrey", roles="auditor", password="x" * 12)
        return systems.create_system(unit, CARD)["id"]


def test_a_new_card_is_filled_from_the_inventory(runtime, operator, system_id) -> None:  # type: ignore[no-untyped-def]
    with runtime.unit(operator) as unit:
        card = model_cards.get_card(unit, system_id)
    assert card["version"] is None and card["annex_iv"] is None
    assert card["model_details"]["owners"][0]["name"] == "dan"
    assert card["model_details"]["overview"] == CARD["purpose"]
    assert card["model_parameters"]["data"]["training"]["sources"][0]["licence"] == "own data"
    assert card["quantitative_analysis"]["fairness"] is None
    assert "Not written yet" in render_model_card(card)


def test_saving_makes_versions_and_is_audited(runtime, operator, system_id) -> None:  # type: ignore[no-untyped-def]
    with runtime.unit(operator) as unit:
        first = model_cards.save_card(unit, system_id, {"intended_uses": "Quarterly offers",
                                                        "limitations": "Short histories"},
                                      note="first")
        second = model_cards.save_card(unit, system_id, {"limitations": ""},
                                       expected_version=1)
        with pytest.raises(Conflict, match="changed since you read it"):
            model_cards.save_card(unit, system_id, {"overview": "x"}, expected_version=1)
        with pytest.raises(InvalidInput, match="unknown model card field 'colour'"):
            model_cards.save_card(unit, system_id, {"colour": "blue"})
        versions = model_cards.list_versions(unit, system_id)
        old = model_cards.get_card(unit, system_id, version=1)
        now = model_cards.get_card(unit, system_id)
        with pytest.raises(NotFound):
            model_cards.get_card(unit, system_id, version=9)
        entries, _ = audit_log.recent(unit, limit=20)
        kinds = [e["kind"] for e in evidence.list_evidence(unit, system_id=system_id)]
    assert first["version"]["version"] == 1 and second["version"]["version"] == 2
    assert [v["version"] for v in versions] == [2, 1]
    assert versions[1]["note"] == "first" and len(versions[1]["content_sha256"]) == 64
    assert old["considerations"]["limitations"] == "Short histories"
    assert now["considerations"]["limitations"] == ""
    assert now["uses"]["intended_uses"] == "Quarterly offers"
    assert sum(e["action"] == "model_card.save" for e in entries) == 2
    assert kinds.count("model_card") == 2


def test_metrics_by_slice_come_from_the_fairness_audit(runtime, operator, settings,
                                                       system_id) -> None:  # type: ignore[no-untyped-def]
    import pyarrow.parquet as pq

    path = Path(settings.data_dir) / "offers.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(decision_table(11, older_penalty=0.12, rows=3000), path)
    with runtime.unit(operator) as unit:
        run_fairness_audit(unit, source=str(path), groups=["age_band"], decision="offered",
                           label="accepted", system_id=system_id)
        card = model_cards.get_card(unit, system_id)
    fairness = card["quantitative_analysis"]["fairness"]
    slices = {s["slice"]: s for s in fairness["slices"]}
    assert slices["overall"]["n"] == 3000
    assert "age_band=65+" in slices and slices["age_band=65+"]["selection_rate_ratio"] < 1
    assert fairness["label"] == "accepted"
    html = render_model_card(card)
    assert "age_band=65+" in html and 'id="slices"' in html


def test_high_risk_cards_outline_annex_iv_with_what_is_missing(runtime, operator,
                                                               system_id) -> None:  # type: ignore[no-untyped-def]
    with runtime.unit(operator) as unit:
        systems.classify_system(unit, system_id, HIGH_RISK)
        card = model_cards.get_card(unit, system_id)
        annex = card["annex_iv"]
        assert [s["point"] for s in annex["sections"]] == [str(i) for i in range(1, 10)]
        assert "7: standards applied" in annex["missing"]
        assert annex["sections"][5]["status"] == "missing"  # no version, no model file yet
        saved = model_cards.save_card(unit, system_id, {"standards": "ISO/IEC 42001:2023"})
    assert saved["annex_iv"]["sections"][6]["status"] == "present"
    assert "6: versioned documentation" not in saved["annex_iv"]["missing"]
    html = render_model_card(saved)
    assert "Annex IV" in html and "Still missing" in html


def test_access(runtime, system_id) -> None:  # type: ignore[no-untyped-def]
    auditor = Actor(name="audrey", roles=frozenset({"auditor"}))
    with runtime.unit(auditor) as unit, pytest.raises(Forbidden):
        model_cards.save_card(unit, system_id, {"overview": "x"})


def test_the_card_prints_to_pdf(runtime, operator, system_id) -> None:  # type: ignore[no-untyped-def]
    from pypdf import PdfReader

    from steward.services.reports.pdf import CHROMIUM_CANDIDATES

    if not any(Path(c).exists() for c in CHROMIUM_CANDIDATES[:1]):
        pytest.skip("Chromium is not installed (`make test` installs it)")
    with runtime.unit(operator) as unit:
        card = model_cards.save_card(unit, system_id, {"out_of_scope_uses": "Credit limits"})
    pdf = model_card_pdf(card)
    assert pdf.startswith(b"%PDF")
    # NFKC: where the font has ligatures, "offer" comes back from the PDF with U+FB00
    text = unicodedata.normalize("NFKC", "\n".join(
        p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    assert "Model card: Card offer propensity model" in text
    assert "Credit limits" in text
