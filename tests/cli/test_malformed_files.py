"""Every command that reads a file: malformed CSV, Parquet, JSON Lines and YAML each get one clear
line, exit 2, no traceback, and write nothing (the audit log does not grow)."""

from __future__ import annotations

import json

import pytest

from steward.cli.main import main
from steward.services import audit_log
from steward.services.runtime import Actor, Runtime

MALFORMED = {
    "garbage.csv": b"\x00\x01\x02\xff\xfe not,a\n\"unterminated",
    "wrong.csv": b"foo,bar\n1,2\n",
    "empty.csv": b"",
    "truncated.parquet": b"PAR1\x15\x04\x15\x00\x00garbage",
    "garbage.jsonl": b'{"id": 1, "text": "ok"}\n{not json\n',
    "broken.yaml": b"key: [unclosed\n  - : :\n",
}

# Commands with arguments (FILE is where the malformed file goes). A well-formed CSV with
# unexpected columns is only malformed for commands that need particular columns; an empty
# JSON Lines batch is an empty batch.
NO_REQUIRED_COLUMNS = {"wrong.csv"}
COMMANDS = [
    (["systems", "import", "FILE"], set()),
    (["risk", "classify", "FILE"], set()),
    (["policy", "draft", "FILE"], set()),
    (["consent", "ingest", "FILE"], set()),
    (["kpis", "ingest", "FILE"], set()),
    (["content", "scan", "--jsonl", "FILE", "--format", "json"], {"empty.csv"}),
    (["audit", "fairness", "FILE", "--group", "g", "--decision", "d"], set()),
    (["monitor", "drift", "FILE", "FILE"], NO_REQUIRED_COLUMNS),
    (["privacy", "scan", "FILE"], NO_REQUIRED_COLUMNS),
    (["privacy", "risk", "FILE", "--qi", "a,b", "--k", "5"], set()),
]


def _entries(runtime: Runtime) -> int:
    with runtime.unit(Actor.operator("t")) as unit:
        return audit_log.verify(unit).entries


@pytest.mark.parametrize(("command", "valid"), COMMANDS, ids=lambda c: " ".join(c[:2])
                         if isinstance(c, list) else "")
def test_malformed_inputs_get_one_line_and_write_nothing(cli_env, runtime, tmp_path, capsys,
                                                         command, valid) -> None:  # type: ignore[no-untyped-def]
    main(["users", "add", "seed", "--roles", "admin"])
    before = _entries(runtime)
    for name, content in MALFORMED.items():
        if name in valid:
            continue
        path = tmp_path / name
        path.write_bytes(content)
        argv = [str(path) if part == "FILE" else part for part in command]
        capsys.readouterr()
        code = main(argv)
        captured = capsys.readouterr()
        assert code == 2, (command, name, code, captured.out[-300:], captured.err[-300:])
        err = captured.err.strip()
        assert err and "Traceback" not in err and len(err.splitlines()) == 1, (command, name, err)
    assert _entries(runtime) == before


def test_fuzzed_yaml_never_escapes_as_a_traceback(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.text(max_size=300))
    def check(text: str) -> None:
        path = tmp_path / "answers.yaml"
        path.write_text(text, encoding="utf-8")
        code = main(["risk", "classify", str(path), "--format", "json"])
        captured = capsys.readouterr()
        assert code in (0, 2)
        if code == 0:
            json.loads(captured.out)
        else:
            assert "Traceback" not in captured.err

    check()
