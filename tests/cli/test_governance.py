import json

from steward.cli.main import main


def test_policy_list_and_gate_on_the_demo(cli_env, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["demo", "--no-serve"]) == 0
    capsys.readouterr()
    assert main(["policy", "list", "--format", "json"]) == 0
    versions = json.loads(capsys.readouterr().out)
    assert [(v["version"], v["status"]) for v in versions] == [(1, "superseded"),
                                                               (2, "published")]
    assert main(["systems", "list", "--stage", "proposed", "--format", "json"]) == 0
    proposed = json.loads(capsys.readouterr().out)[0]["id"]
    assert main(["gate", str(proposed), "--to", "production", "--format", "json"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["allowed"] is False and result["missing"]
    assert {"kind", "detail"} <= set(result["missing"][0])
    assert main(["gate", str(proposed), "--to", "pilot"]) == 1
    assert "refused" in capsys.readouterr().out
    assert main(["gate", "999", "--to", "pilot"]) == 2
    assert main(["gate", str(proposed), "--to", "launch"]) == 2
    assert "unknown stage" in capsys.readouterr().err


def test_policy_draft_publish_and_diff(cli_env, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["policy", "draft"]) == 0
    assert main(["policy", "publish", "1"]) == 0
    capsys.readouterr()
    assert main(["policy", "show", "1"]) == 0
    document = capsys.readouterr().out
    changed = tmp_path / "v2.yaml"
    changed.write_text(document.replace("fairness.min_group_size: 30",
                                        "fairness.min_group_size: 100"))
    assert main(["policy", "draft", str(changed)]) == 0
    assert main(["policy", "publish", "2"]) == 0
    capsys.readouterr()
    assert main(["policy", "diff", "1", "2"]) == 0
    assert "fairness.min_group_size" in capsys.readouterr().out
    broken = tmp_path / "broken.yaml"
    broken.write_text("title: t\nrules:\n  - id: r\n    condition: 'system.x +'\n")
    assert main(["policy", "draft", str(broken)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: policy:") and len(err.strip().splitlines()) == 1


def test_incident_training_and_reviews_commands(cli_env, capsys) -> None:  # type: ignore[no-untyped-def]
    main(["users", "add", "maya", "--roles", "marketing"])
    assert main(["training", "add", "ai-literacy", "--title", "AI literacy",
                 "--roles", "marketing"]) == 0
    assert main(["training", "complete", "maya", "ai-literacy", "--on", "2026-01-10"]) == 0
    assert "valid until 2027-01-10" in capsys.readouterr().out
    assert main(["incidents", "open", "Bad copy", "--severity", "low"]) == 0
    capsys.readouterr()
    assert main(["incidents", "list", "--format", "json"]) == 0
    assert [i["title"] for i in json.loads(capsys.readouterr().out)] == ["Bad copy"]
    assert main(["incidents", "open", "x", "--severity", "doom"]) == 2
    assert main(["reviews", "list", "--format", "json"]) == 0
