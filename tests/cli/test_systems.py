import json

import pytest

from steward.cli.main import main

SYSTEM_YAML = """\
name: Support bot
purpose: Answer delivery questions
owner: maya
ai_kinds: [chatbot]
channels: [chat]
jurisdictions: [EU, US-CA]
"""
ANSWERS_YAML = """\
name: Support bot
ai_kind: [chatbot]
interacts_with_people: true
personal_data: true
jurisdictions: [EU, US-CA]
"""


@pytest.fixture
def files(tmp_path):  # type: ignore[no-untyped-def]
    (tmp_path / "system.yaml").write_text(SYSTEM_YAML)
    (tmp_path / "answers.yaml").write_text(ANSWERS_YAML)
    return tmp_path


def test_risk_classify_json(files, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["risk", "classify", str(files / "answers.yaml"), "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["tier"] == "limited" and result["reasons"]
    for ob in result["obligations"]:
        assert set(ob["citation"]) >= {"instrument", "article", "url"}
        assert ob["applies_from"] and ob["party"]
    assert isinstance(result["risk_score"], int)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name: [unclosed", "line 1"),
        ("- just\n- a list\n", "expected a mapping"),
        ("name: x\nai_kind: [telepathy]\n", "telepathy"),
        ("name: x\ncolour: blue\n", "colour"),
    ],
)
def test_risk_classify_bad_answers(tmp_path, capsys, content, message) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.yaml"
    path.write_text(content)
    assert main(["risk", "classify", str(path), "--format", "json"]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert main(["risk", "classify", str(tmp_path / "missing.yaml")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_systems_lifecycle_through_the_cli(cli_env, files, capsys) -> None:  # type: ignore[no-untyped-def]
    main(["users", "add", "maya", "--roles", "marketing"])
    capsys.readouterr()
    assert main(["systems", "create", str(files / "system.yaml"), "--format", "json"]) == 0
    sid = json.loads(capsys.readouterr().out)["id"]
    assert main(["systems", "classify", str(sid), str(files / "answers.yaml")]) == 0
    assert "tier limited" in capsys.readouterr().out
    assert main(["systems", "list", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["id"], r["name"], r["stage"], r["tier"]) for r in rows] == [
        (sid, "Support bot", "proposed", "limited")]
    assert main(["systems", "update", str(sid), "--set", "vendor=Intercom",
                 "--set", "jurisdictions=[EU]", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["jurisdictions"] == ["EU"]
    assert main(["systems", "obligations", str(sid), "--format", "json"]) == 0
    obligations = json.loads(capsys.readouterr().out)
    oid = obligations[0]["id"]
    assert main(["systems", "obligation", str(sid), oid, "--status", "met",
                 "--evidence", "https://wiki/x", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "met"
    assert main(["systems", "show", str(sid)]) == 0
    assert "Support bot" in capsys.readouterr().out
    assert main(["systems", "retire", str(sid), "--reason", "replaced"]) == 0
    capsys.readouterr()
    assert main(["systems", "list", "--stage", "retired", "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 1


def test_import_export_round_trip(cli_env, files, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    main(["users", "add", "maya", "--roles", "marketing"])
    capsys.readouterr()
    main(["systems", "create", str(files / "system.yaml")])
    out = tmp_path / "inventory.csv"
    assert main(["systems", "export", "--format", "csv", "--out", str(out)]) == 0
    out.write_text(out.read_text().replace("Support bot", "Support bot 2"))
    capsys.readouterr()
    assert main(["systems", "import", str(out)]) == 0
    assert "1 created" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("name,purpose,owner,ai_kinds\nNew,p,ghost,chatbot\n")
    assert main(["systems", "import", str(bad)]) == 2
    assert "owner 'ghost'" in capsys.readouterr().err
    main(["systems", "list", "--format", "json"])
    assert len(json.loads(capsys.readouterr().out)) == 2


def test_bad_system_input(cli_env, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "s.yaml"
    path.write_text("name: x\npurpose: y\nowner: nobody\nai_kinds: [chatbot]\n")
    assert main(["systems", "create", str(path)]) == 2
    assert "owner 'nobody'" in capsys.readouterr().err
    assert main(["systems", "show", "42"]) == 2
    assert "no AI system with id 42" in capsys.readouterr().err
    assert main(["systems", "update", "42", "--set", "novalue"]) == 2
    assert "FIELD=VALUE" in capsys.readouterr().err
