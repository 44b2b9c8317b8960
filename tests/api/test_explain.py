"""The explanation and model card API: models are read-only here, explanations run on
registered models under the data directory, cards are read, saved as versions and rendered."""

from __future__ import annotations

from pathlib import Path

import joblib
import pytest

from steward.services import explain, systems
from steward.services.explain_demo import customer_table, train_model
from steward.services.runtime import Actor


@pytest.fixture
def registered(runtime, settings, make_person, tmp_path) -> dict:  # type: ignore[no-untyped-def]
    make_person("dan", "data_science")
    table = customer_table(rows=300)
    data = Path(settings.data_dir) / "customers.parquet"
    data.parent.mkdir(parents=True, exist_ok=True)
    table.to_parquet(data, index=False)
    model = tmp_path / "model.joblib"
    joblib.dump(train_model(table), model)
    with runtime.unit(Actor.operator("t")) as unit:
        sid = systems.create_system(unit, {"name": "Card offer model", "purpose": "offers",
                                           "owner": "dan", "ai_kinds": ["predictive_model"]})["id"]
        record = explain.register_model(unit, system_id=sid, path=model)
    return {"system": sid, "model": record["id"]}


def test_explain_a_customer(client, make_person, registered) -> None:  # type: ignore[no-untyped-def]
    maya = make_person("maya", "marketing")
    response = client.post("/api/v1/explain", headers=maya.headers, json={
        "model_id": registered["model"], "source": "customers.parquet", "row": "1009"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["customer_text"].startswith("You are seeing this offer")
    assert body["global_importance"][0]["rank"] == 1
    outside = client.post("/api/v1/explain", headers=maya.headers, json={
        "model_id": registered["model"], "source": "/etc/passwd"})
    assert outside.status_code == 422
    missing = client.post("/api/v1/explain", headers=maya.headers, json={
        "model_id": 999, "source": "customers.parquet"})
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")


def test_models_are_listed_not_registered(client, make_person, registered) -> None:  # type: ignore[no-untyped-def]
    auditor = make_person("aud", "auditor")
    dan = make_person("dan2", "data_science")
    assert client.get("/api/v1/models", headers=dan.headers).json()[0]["id"] == \
        registered["model"]
    assert client.post("/api/v1/models", headers=dan.headers).status_code == 405
    assert client.post("/api/v1/explain", headers=auditor.headers, json={
        "model_id": registered["model"], "source": "customers.parquet"}).status_code == 403


def test_card_read_save_versions_and_html(client, make_person, registered) -> None:  # type: ignore[no-untyped-def]
    dan = make_person("dan3", "data_science")
    sid = registered["system"]
    card = client.get(f"/api/v1/systems/{sid}/card", headers=dan.headers).json()
    assert card["model_details"]["model_files"][0]["id"] == registered["model"]
    saved = client.post(f"/api/v1/systems/{sid}/card", headers=dan.headers, json={
        "fields": {"limitations": "Thin files"}, "note": "v1", "expected_version": 0})
    assert saved.status_code == 201, saved.text
    assert saved.json()["version"]["version"] == 1
    stale = client.post(f"/api/v1/systems/{sid}/card", headers=dan.headers, json={
        "fields": {"limitations": "x"}, "expected_version": 0})
    assert stale.status_code == 409
    bad = client.post(f"/api/v1/systems/{sid}/card", headers=dan.headers, json={
        "fields": {"nope": "x"}})
    assert bad.status_code == 422
    versions = client.get(f"/api/v1/systems/{sid}/card/versions", headers=dan.headers).json()
    assert [v["version"] for v in versions] == [1]
    html = client.get(f"/api/v1/systems/{sid}/card/html?version=1", headers=dan.headers)
    assert html.status_code == 200 and "Thin files" in html.text
