"""Explanations as a use case: the model registry (only registered files load), explaining,
the organisation's wording, evidence, and access."""

from __future__ import annotations

from pathlib import Path

import joblib
import pytest

from steward.errors import Conflict, Forbidden, InvalidInput
from steward.services import audit_log, evidence, explain, systems, users
from steward.services.explain_demo import FEATURES, customer_table, train_model
from steward.services.runtime import Actor, Runtime

CARD = {"name": "Card offer propensity model", "purpose": "card offers", "owner": "dan",
        "ai_kinds": ["predictive_model"]}


@pytest.fixture
def files(settings, tmp_path: Path) -> dict[str, Path]:  # type: ignore[no-untyped-def]
    table = customer_table(rows=400)
    data = Path(settings.data_dir) / "customers.parquet"
    data.parent.mkdir(parents=True, exist_ok=True)
    table.to_parquet(data, index=False)
    model = tmp_path / "propensity.joblib"
    joblib.dump(train_model(table), model)
    return {"data": data, "model": model}


@pytest.fixture
def system_id(runtime: Runtime, operator: Actor) -> int:
    with runtime.unit(operator) as unit:
        users.add_user(unit, username="dan", roles="data_science", password="x" * 12)
        users.add_user(unit, username="maya", roles="marketing", password="x" * 12)
        users.add_user(unit, username="audrey", roles="auditor", password="x" * 12)
        return systems.create_system(unit, CARD)["id"]


def test_register_copies_the_file_under_its_hash_and_audits(runtime, operator, settings, files,
                                                            system_id) -> None:  # type: ignore[no-untyped-def]
    with runtime.unit(operator) as unit:
        record = explain.register_model(unit, system_id=system_id, path=files["model"],
                                        version="1.0")
    stored = Path(settings.data_dir) / record["path"]
    assert stored.read_bytes() == files["model"].read_bytes()
    assert record["sha256"] == explain.file_sha256(files["model"])
    assert record["path"] == f"models/{record['sha256']}.joblib"
    with runtime.unit(operator) as unit:
        entries, _ = audit_log.recent(unit, limit=5)
        assert any(e["action"] == "model.register" for e in entries)
        with pytest.raises(Conflict, match="already registered"):
            explain.register_model(unit, system_id=system_id, path=files["model"])
        assert [m["id"] for m in explain.list_models(unit, system_id=system_id)] == [
            record["id"]]


def test_only_registered_models_are_loaded(runtime, operator, files, system_id,
                                           tmp_path) -> None:  # type: ignore[no-untyped-def]
    with runtime.unit(operator) as unit:
        with pytest.raises(Forbidden, match="not a registered model file.*runs code"):
            explain.explain_model(unit, model=str(files["model"]), data=str(files["data"]))
        record = explain.register_model(unit, system_id=system_id, path=files["model"])
        by_path = explain.explain_model(unit, model=str(files["model"]),
                                        data=str(files["data"]))
        assert by_path["model_file"]["id"] == record["id"]
        other = tmp_path / "other.pkl"
        other.write_bytes(b"not registered")
        with pytest.raises(Forbidden, match="other.pkl: not a registered model file"):
            explain.explain_model(unit, model=str(other), data=str(files["data"]))


def test_a_tampered_stored_file_is_refused(runtime, operator, settings, files,
                                           system_id) -> None:  # type: ignore[no-untyped-def]
    with runtime.unit(operator) as unit:
        record = explain.register_model(unit, system_id=system_id, path=files["model"])
    (Path(settings.data_dir) / record["path"]).write_bytes(b"evil")
    with runtime.unit(operator) as unit, pytest.raises(Conflict, match="no longer matches"):
        explain.explain_model(unit, model=record["id"], data=str(files["data"]))


def test_explaining_a_customer_gives_reasons_and_customer_text(
        runtime, operator, files, system_id) -> None:  # type: ignore[no-untyped-def]
    with runtime.unit(operator) as unit:
        record = explain.register_model(unit, system_id=system_id, path=files["model"])
        result = explain.explain_model(unit, model=record["id"], data=str(files["data"]),
                                       row="1009", record=True)
    assert result["method"] == "tree" and result["additivity_error"] < 1e-6
    assert {g["feature"] for g in result["global_importance"]} == set(FEATURES)
    person = result["person"]
    assert person["id"] == "1009" and len(person["reasons"]) <= 3
    assert all(r["contribution"] > 0 for r in person["reasons"])
    assert result["customer_text"].startswith("You are seeing this offer mainly because of ")
    assert person["reasons"][0]["label"] in result["customer_text"]
    stored = result["evidence"]
    assert stored["kind"] == "explanation" and stored["system_id"] == system_id
    with runtime.unit(operator) as unit:
        payload = evidence.get_evidence(unit, stored["id"])["payload"]
    assert "person" not in payload and "customer_text" not in payload


def test_the_organisation_words_the_customer_text(runtime, operator, settings, files,
                                                  system_id, tmp_path) -> None:  # type: ignore[no-untyped-def]
    rules = tmp_path / "rules" / "explain"
    rules.mkdir(parents=True)
    (rules / "customer_reason.txt.j2").write_text(
        "Hi! {{ company }} picked you for: {{ reasons | map(attribute='label') | join_and }}.")
    (rules / "labels.yaml").write_text(
        "context:\n  company: Northwind\nfeatures:\n  spend_12m: {label: what you spend}\n")
    org = settings.model_copy(update={"rules_dir": tmp_path / "rules"})
    words = explain.wording(org)
    assert words["context"]["company"] == "Northwind"
    assert words["features"]["spend_12m"]["label"] == "what you spend"
    assert words["features"]["tenure_years"]["label"]  # built-in labels still there
    rt = Runtime(org)
    try:
        with rt.unit(operator) as unit:
            record = explain.register_model(unit, system_id=system_id, path=files["model"])
            result = explain.explain_model(unit, model=record["id"], data=str(files["data"]),
                                           row="1009")
        assert result["customer_text"].startswith("Hi! Northwind picked you for: ")
    finally:
        rt.close()
    (rules / "labels.yaml").write_text("- not a mapping\n")
    with pytest.raises(InvalidInput, match="labels.yaml"):
        explain.wording(org)


def test_access(runtime, files, system_id) -> None:  # type: ignore[no-untyped-def]
    auditor = Actor(name="audrey", roles=frozenset({"auditor"}))
    marketing = Actor(name="maya", roles=frozenset({"marketing"}))
    with runtime.unit(marketing) as unit, pytest.raises(Forbidden):
        explain.register_model(unit, system_id=system_id, path=files["model"])
    with runtime.unit(auditor) as unit, pytest.raises(Forbidden):
        explain.explain_model(unit, model=1, data=str(files["data"]))


def test_confined_explanations_read_only_under_the_data_directory(
        runtime, operator, files, system_id) -> None:  # type: ignore[no-untyped-def]
    with runtime.unit(operator) as unit:
        record = explain.register_model(unit, system_id=system_id, path=files["model"])
        with pytest.raises(InvalidInput):
            explain.explain_model(unit, model=record["id"], data="/etc/passwd", confine=True)
        with pytest.raises(Forbidden):
            explain.explain_model(unit, model=str(files["model"]), data="customers.parquet",
                                  confine=True)
        result = explain.explain_model(unit, model=record["id"], data="customers.parquet",
                                       confine=True)
    assert result["person"] is None and result["customer_text"] is None


def test_the_demo_customer_explanation_reads_well_and_the_card_renders(
        runtime, operator, settings) -> None:  # type: ignore[no-untyped-def]
    from types import SimpleNamespace

    from steward.services import model_cards
    from steward.services.explain_demo import DATA_FILE, DEMO_CUSTOMER, load_demo_explanations
    from steward.services.reports.model_card import render_model_card

    with runtime.unit(operator) as unit:
        users.add_user(unit, username="dan", roles="data_science", password="x" * 12)
        sid = systems.create_system(unit, CARD)["id"]
        report = SimpleNamespace(notes=[])
        load_demo_explanations(unit, report)
        result = explain.explain_model(unit, model=1, data=DATA_FILE, row=str(DEMO_CUSTOMER),
                                       confine=True)
        card = model_cards.get_card(unit, sid)
    assert "registered (model 1)" in report.notes[0]
    assert result["person"]["output"] > 0  # the model offers this customer the card
    text = result["customer_text"]
    assert text.startswith("You are seeing this offer mainly because of your spending with us "
                           "over the last 12 months (€1,240)")
    assert "_" not in text and "{" not in text
    assert card["version"]["version"] == 1
    assert card["quantitative_analysis"]["explanation"]["features"][0]["feature"] == "spend_12m"
    html = render_model_card(card)
    assert "Model card: Card offer propensity model" in html and "Credit limits" not in html
    assert "Deciding credit limits" in html
