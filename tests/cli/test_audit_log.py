import json
import sqlite3

import pytest
from sqlalchemy import create_engine, text

from steward.cli.main import main


def _tamper(url: str, seq: int) -> None:
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            conn.execute("UPDATE audit_log SET after = '{\"forged\":true}' WHERE seq = ?", (seq,))
        return
    engine = create_engine(url)
    with engine.begin() as conn:  # an attacker with superuser rights can lift the trigger
        conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        conn.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = :s"), {"s": seq})
    engine.dispose()


def test_verify_passes_then_names_the_altered_entry(cli_env, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["demo", "--no-serve"]) == 0
    capsys.readouterr()
    assert main(["audit-log", "verify"]) == 0
    assert "verified" in capsys.readouterr().out
    _tamper(cli_env.database_url, 4)
    assert main(["audit-log", "verify"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "entry 4" in err
    assert main(["audit-log", "verify", "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["first_break"]["seq"] == 4


def test_export_prints_json_lines_oldest_first(cli_env, capsys) -> None:  # type: ignore[no-untyped-def]
    main(["demo", "--no-serve"])
    capsys.readouterr()
    assert main(["audit-log", "export"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(records) >= 10
    assert [r["seq"] for r in records] == sorted(r["seq"] for r in records)
    assert all(len(r["hash"]) == 64 for r in records)
    assert main(["audit-log", "export", "--since", "2999-01-01"]) == 0
    assert capsys.readouterr().out == ""
    assert main(["audit-log", "export", "--since", "whenever"]) == 2


def test_demo_holds_every_role_and_is_idempotent(cli_env, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["demo", "--no-serve"]) == 0
    out = capsys.readouterr().out
    assert "password: steward-demo" in out
    main(["users", "list", "--format", "json"])
    roles = {r for u in json.loads(capsys.readouterr().out) for r in u["roles"]}
    assert roles == {"admin", "marketing", "legal", "privacy", "data_science", "it", "committee",
                     "auditor"}
    assert main(["demo", "--no-serve"]) == 0
    assert "already loaded" in capsys.readouterr().out


@pytest.mark.parametrize("env", [{"STEWARD_PORT": "nope"}, {"STEWARD_DATABASE_URL": "mysql://x"}])
def test_bad_settings_are_one_line(monkeypatch, capsys, env) -> None:  # type: ignore[no-untyped-def]
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert main(["users", "list"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: invalid setting STEWARD_") and "Traceback" not in err
