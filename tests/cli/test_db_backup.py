"""Backup and restore round trip on SQLite and PostgreSQL; the chain verifies afterwards."""

import json

from steward.cli.main import main


def test_backup_and_restore_round_trip(cli_env, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["users", "add", "leo", "--roles", "legal"]) == 0
    out = tmp_path / "backup.bin"
    assert main(["db", "backup", str(out)]) == 0
    assert main(["db", "backup", str(out)]) == 2  # never overwrites
    assert main(["users", "add", "maya", "--roles", "marketing"]) == 0
    assert main(["db", "restore", str(out)]) == 2  # needs --yes
    capsys.readouterr()
    assert main(["db", "restore", str(out), "--yes"]) == 0
    assert main(["users", "list", "--format", "json"]) == 0
    lines = capsys.readouterr().out
    assert [u["username"] for u in json.loads(lines[lines.index("["):])] == ["leo"]
    assert main(["audit-log", "verify"]) == 0
    capsys.readouterr()
    assert main(["audit-log", "export"]) == 0
    actions = [json.loads(x)["action"] for x in capsys.readouterr().out.splitlines()]
    assert actions == ["user.create", "db.restore"]


def test_restore_refuses_a_file_that_is_not_a_backup(cli_env, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"hello world" * 10)
    assert main(["db", "restore", str(junk), "--yes"]) == 2
    err = capsys.readouterr().err
    assert "is not a" in err and len(err.strip().splitlines()) == 1
    assert main(["db", "restore", str(tmp_path / "missing"), "--yes"]) == 2
