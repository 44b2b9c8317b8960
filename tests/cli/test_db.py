import json

from steward.cli.main import main


def test_upgrade_and_status(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("STEWARD_DATABASE_URL", f"sqlite:///{tmp_path}/new.db")
    assert main(["db", "upgrade"]) == 0
    assert "database at revision" in capsys.readouterr().out
    assert main(["db", "status", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["up_to_date"] is True


def test_unreachable_database_is_one_line(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("STEWARD_DATABASE_URL", "sqlite:////nonexistent-dir/x.db")
    assert main(["users", "list"]) == 2
    assert "does not exist" in capsys.readouterr().err
    monkeypatch.setenv("STEWARD_DATABASE_URL",
                       "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    assert main(["db", "upgrade"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and len(err.strip().splitlines()) == 1
