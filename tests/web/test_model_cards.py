"""Model pages: the registered models, explaining a customer, and a system's model card with
its edit form, version history, document and PDF."""

from __future__ import annotations

from pathlib import Path

import joblib
import pytest
from tests.web.conftest import session_csrf

from steward.services import explain, systems
from steward.services.explain_demo import customer_table, train_model
from steward.services.runtime import Actor


@pytest.fixture
def registered(runtime, settings, tmp_path) -> dict:  # type: ignore[no-untyped-def]
    table = customer_table(rows=300)
    data = Path(settings.data_dir) / "demo" / "customers.parquet"
    data.parent.mkdir(parents=True, exist_ok=True)
    table.to_parquet(data, index=False)
    model = tmp_path / "model.joblib"
    joblib.dump(train_model(table), model)
    with runtime.unit(Actor.operator("t")) as unit:
        from steward.services import users

        users.add_user(unit, username="owner", roles="data_science", password="x" * 12)
        sid = systems.create_system(unit, {"name": "Card offer model", "purpose": "offers",
                                           "owner": "owner",
                                           "ai_kinds": ["predictive_model"]})["id"]
        record = explain.register_model(unit, system_id=sid, path=model, version="2025.4")
    return {"system": sid, "model": record["id"]}


def test_models_page_and_a_customer_explanation(client, web_login, registered) -> None:  # type: ignore[no-untyped-def]
    web_login("maya", "marketing")
    page = client.get("/models")
    assert page.status_code == 200 and "Card offer model" in page.text
    assert "demo/customers.parquet" in page.text
    result = client.get(f"/explain?model_id={registered['model']}"
                        f"&source=demo/customers.parquet&row=1009")
    assert result.status_code == 200, result.text
    assert "You are seeing this offer mainly because of" in result.text
    assert 'id="global-importance"' in result.text
    bad = client.get(f"/explain?model_id={registered['model']}&source=demo/customers.parquet"
                     f"&row=nobody")
    assert bad.status_code == 422 and "no row with customer_id" in bad.text


def test_card_page_edit_and_versions(client, web_login, registered) -> None:  # type: ignore[no-untyped-def]
    web_login("dan", "data_science")
    sid = registered["system"]
    page = client.get(f"/systems/{sid}/card")
    assert page.status_code == 200 and "No version saved yet" in page.text
    csrf = session_csrf(page.text)
    saved = client.post(f"/systems/{sid}/card", data={
        "csrf_token": csrf, "expected_version": "0", "intended_uses": "Quarterly offers",
        "out_of_scope_uses": "Credit limits", "note": "first"}, follow_redirects=False)
    assert saved.status_code == 303
    page = client.get(f"/systems/{sid}/card")
    assert "Version 1" in page.text and "first" in page.text
    stale = client.post(f"/systems/{sid}/card", data={
        "csrf_token": csrf, "expected_version": "0", "intended_uses": "x"})
    assert stale.status_code == 409 and "changed since you read it" in stale.text
    document = client.get(f"/systems/{sid}/card/document?version=1")
    assert document.status_code == 200 and "Credit limits" in document.text
    assert "sha256-" in document.headers["content-security-policy"]


def test_auditors_read_but_cannot_edit(client, web_login, registered) -> None:  # type: ignore[no-untyped-def]
    web_login("aud", "auditor")
    sid = registered["system"]
    page = client.get(f"/systems/{sid}/card")
    assert page.status_code in (200, 403, 404)
    if page.status_code == 200:
        assert "Save new version" not in page.text
