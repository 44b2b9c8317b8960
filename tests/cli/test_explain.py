"""``steward models``, ``steward explain`` and ``steward card``: registration, refusing
unregistered files in one line, the customer text, JSON and HTML, card versions, HTML/JSON/PDF."""

from __future__ import annotations

import json
from pathlib import Path

import joblib
import pytest

from steward.cli.main import main
from steward.services import systems, users
from steward.services.explain_demo import customer_table, train_model
from steward.services.runtime import Actor, Runtime


@pytest.fixture
def setup(runtime: Runtime, cli_env, tmp_path: Path) -> dict:  # type: ignore[no-untyped-def]
    with runtime.unit(Actor.operator("t")) as unit:
        users.add_user(unit, username="dan", roles="data_science", password="x" * 12)
        system_id = systems.create_system(unit, {"name": "Card offer model", "purpose": "offers",
                                                 "owner": "dan",
                                                 "ai_kinds": ["predictive_model"]})["id"]
    table = customer_table(rows=300)
    data = tmp_path / "customers.csv"
    table.to_csv(data, index=False)
    model = tmp_path / "model.pkl"
    joblib.dump(train_model(table), model)
    return {"system": system_id, "data": str(data), "model": str(model)}


def test_unregistered_model_is_refused_in_one_line(setup, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["explain", setup["model"], setup["data"]]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "not a registered model file" in err and "steward models register" in err


def test_register_then_explain_a_customer(setup, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["models", "register", str(setup["system"]), setup["model"], "--version", "1",
                 "--format", "json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["version"] == "1" and len(record["sha256"]) == 64
    assert main(["models", "list", "--format", "json"]) == 0
    assert [m["id"] for m in json.loads(capsys.readouterr().out)] == [record["id"]]

    assert main(["explain", setup["model"], setup["data"], "--row", "1009",
                 "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["person"]["id"] == "1009"
    assert result["customer_text"].startswith("You are seeing this offer mainly because of")

    assert main(["explain", str(record["id"]), setup["data"], "--row", "1009"]) == 0
    out = capsys.readouterr().out
    assert "Global importance" in out and "You are seeing this offer" in out

    assert main(["explain", str(record["id"]), setup["data"], "--row", "1009",
                 "--format", "html"]) == 0
    html = capsys.readouterr().out
    assert html.startswith("<!doctype html>") and "Why this customer sees the offer" in html

    assert main(["explain", str(record["id"]), setup["data"], "--row", "42"]) == 2
    assert "no row with customer_id = '42'" in capsys.readouterr().err


def test_help_says_pickles_run_code() -> None:
    from typer.testing import CliRunner

    from steward.cli.main import app

    result = CliRunner().invoke(app, ["explain", "--help"])
    assert "runs code" in result.output and "registered" in result.output


def test_card_edit_versions_and_formats(setup, capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    sid = str(setup["system"])
    assert main(["card", sid, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["version"] is None
    assert main(["card", sid, "--set", "intended_uses=Quarterly card offers",
                 "--set", "out_of_scope_uses=Credit limits", "--note", "first",
                 "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert "saved model card version 1" in captured.err
    card = json.loads(captured.out)
    assert card["uses"]["out_of_scope_uses"] == "Credit limits"
    fields = tmp_path / "card.yaml"
    fields.write_text("limitations: Short histories score low\n")
    assert main(["card", sid, "--from-file", str(fields), "--format", "html"]) == 0
    assert "Short histories score low" in capsys.readouterr().out
    assert main(["card", sid, "--versions"]) == 0
    assert "first" in capsys.readouterr().out
    assert main(["card", sid, "--version", "1", "--format", "html"]) == 0
    assert "Short histories" not in capsys.readouterr().out
    assert main(["card", sid, "--set", "colour=blue"]) == 2
    assert "unknown model card field 'colour'" in capsys.readouterr().err
    assert main(["card", "999"]) == 2


def test_card_pdf_to_a_file(setup, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Chromium is not installed")
    target = tmp_path / "card.pdf"
    assert main(["card", str(setup["system"]), "--format", "pdf", "--output", str(target)]) == 0
    assert target.read_bytes().startswith(b"%PDF")
