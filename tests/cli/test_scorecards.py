"""``steward kpis``, ``steward scorecard``, ``steward report`` and ``steward evidence``."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from steward.cli.main import main
from steward.services import systems, users
from steward.services.runtime import Actor, Runtime


@pytest.fixture
def sid(cli_env, runtime: Runtime, operator: Actor) -> int:  # type: ignore[no-untyped-def]
    with runtime.unit(operator) as unit:
        users.add_user(unit, username="maya", roles="marketing")
        return systems.create_system(unit, {"name": "Mailer", "purpose": "copy",
                                            "owner": "maya", "stage": "production",
                                            "ai_kinds": ["generative_text"]})["id"]


def test_ingest_then_scorecard(sid: int, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    csv = tmp_path / "kpis.csv"
    csv.write_text("date,system,campaign,metric,value\n2026-01-05,Mailer,,click_through,0.01\n"
                   "2026-02-05,Mailer,,click_through,0.03\n")
    assert main(["kpis", "ingest", str(csv), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["inserted"] == 2
    assert main(["scorecard", str(sid), "--format", "json"]) == 0
    card = json.loads(capsys.readouterr().out)
    ctr = next(m for m in card["measures"] if m["key"] == "kpi.click_through")
    assert ctr["status"] == "green" and ctr["trend"] == "better"
    assert main(["scorecard", "portfolio"]) == 0
    assert "Mailer" in capsys.readouterr().out
    assert main(["kpis", "list", "--system", str(sid), "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2


def test_bad_input_exits_2_with_one_line(sid: int, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"date": "2026-01-01", "system": "Nope", "metric": "x", "value": 1}\n')
    assert main(["kpis", "ingest", str(bad)]) == 2
    assert capsys.readouterr().err == "error: row 1: no AI system 'Nope' (give its id or exact " \
                                      "name)\n"
    assert main(["scorecard", "everything"]) == 2
    assert main(["report", str(sid), "--format", "pdf"]) == 2  # needs --out


def test_report_and_evidence_pack_round_trip(sid: int, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "report.html"
    assert main(["report", str(sid), "--format", "html", "--out", str(out)]) == 0
    assert "Record of processing" in out.read_text()
    assert main(["report", "portfolio"]) == 0
    assert "AI portfolio report" in capsys.readouterr().out
    pack = tmp_path / "pack.zip"
    assert main(["evidence", "export", str(sid), "--out", str(pack)]) == 0
    assert main(["evidence", "verify", str(pack), "--against-log"]) == 0
    assert capsys.readouterr().out.startswith("ok: ")
    source = zipfile.ZipFile(pack)
    changed = io.BytesIO()
    with zipfile.ZipFile(changed, "w") as target:
        for name in source.namelist():
            body = source.read(name)
            target.writestr(name, body.replace(b"Mailer", b"Mailex") if name == "system.json"
                            else body)
    tampered = tmp_path / "tampered.zip"
    tampered.write_bytes(changed.getvalue())
    capsys.readouterr()
    assert main(["evidence", "verify", str(tampered)]) == 1
    assert capsys.readouterr().err == ("mismatch: file system.json: SHA-256 does not match the "
                                       "manifest\n")
    assert main(["evidence", "verify", str(tmp_path / "none.zip")]) == 2
