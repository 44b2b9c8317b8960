"""``steward audit fairness``: the JSON contract on German credit, exit codes 0/1/2, the
printable HTML report, evidence on a system and the comparison with the previous run."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from steward.cli.main import main
from steward.services import systems
from steward.services.runtime import Actor, Runtime

REPO = Path(__file__).resolve().parents[2]
GERMAN_CREDIT = REPO.parent / "shared" / "data" / "fairness" / "german_credit.csv"
GERMAN = ["--group", "personal_status_and_sex", "--group", "foreign_worker",
          "--decision", "credit_risk", "--threshold", "1.5"]
GROUP_FIELDS = {"group": dict, "n": int, "selection_rate": float, "selection_rate_ci": list}


@pytest.fixture
def german() -> str:
    if not GERMAN_CREDIT.is_file():
        pytest.skip(f"shared data not found at {GERMAN_CREDIT}")
    return str(GERMAN_CREDIT)


def fair_table(path: Path) -> Path:
    rng = np.random.default_rng(3)
    n = 4000
    segment = rng.choice(np.array(["a", "b"]), n)
    score = rng.random(n)
    pq.write_table(pa.table({"segment": segment, "score": score,
                             "offered": (score >= 0.5).astype(np.int8),
                             "took_up": (rng.random(n) < score).astype(np.int8)}), path)
    return path


def test_json_contract_on_german_credit(cli_env, german, capsys) -> None:  # type: ignore[no-untyped-def]
    code = main(["audit", "fairness", german, *GERMAN, "--intersections", "--format", "json"])
    out = capsys.readouterr().out
    result = json.loads(out)
    assert code == 1 and result["verdict"] == "fail"  # foreign workers: ratio 0.35, significant
    assert result["rows"] == 1000
    assert isinstance(result["groups"], list) and isinstance(result["intersections"], list)
    first = result["groups"][0]
    for key, kind in GROUP_FIELDS.items():
        assert isinstance(first[key], kind), key
    for key in ("tpr", "fpr", "precision"):
        assert key in first
    assert first["group"] == {"personal_status_and_sex": "A91"}
    assert all(isinstance(v, str) for g in result["groups"] for v in g["group"].values())
    assert len(first["selection_rate_ci"]) == 2
    lo, hi = first["selection_rate_ci"]
    assert lo <= first["selection_rate"] <= hi
    assert set(result["intersections"][0]["group"]) == {"personal_status_and_sex",
                                                        "foreign_worker"}
    for metric in ("demographic_parity_difference", "demographic_parity_ratio",
                   "equalized_odds_difference", "selection_rate_ratio"):
        assert set(result["disparities"][metric]) >= {"personal_status_and_sex",
                                                      "foreign_worker"}
    assert result["disparities"]["selection_rate_ratio"]["foreign_worker"] == pytest.approx(
        0.3517, abs=1e-4)
    assert result["verdict"] in ("pass", "warn", "fail")
    assert all({"metric", "verdict", "reason"} <= set(f) for f in result["findings"])
    assert result["fingerprint"]["sha256"] and result["fingerprint"]["rows"] == 1000
    assert result["policy"]["version"] == 0 and result["evidence"] is None


def test_exit_codes(cli_env, german, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    fair = fair_table(tmp_path / "fair.parquet")
    assert main(["audit", "fairness", str(fair), "--group", "segment",
                 "--decision", "offered"]) == 0
    out = capsys.readouterr().out
    assert "verdict: pass" in out and "segment=a" in out
    assert main(["audit", "fairness", german, *GERMAN]) == 1
    assert "verdict: fail" in capsys.readouterr().out

    assert main(["audit", "fairness", german, "--group", "personal_status_and_sx",
                 "--decision", "credit_risk", "--threshold", "1.5"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "personal_status_and_sx" in err
    assert "did you mean 'personal_status_and_sex'" in err
    assert main(["audit", "fairness", german, "--group", "foreign_worker",
                 "--decision", "credit_risk"]) == 2  # 1/2 is not a 0/1 decision
    assert "pass threshold" in capsys.readouterr().err
    assert main(["audit", "fairness", str(tmp_path / "missing.csv"), "--group", "g",
                 "--decision", "d"]) == 2
    assert main(["audit", "fairness", german, "--decision", "credit_risk"]) == 2  # no --group


def test_html_report_has_the_sections_a_regulator_expects(cli_env, german, capsys) -> None:  # type: ignore[no-untyped-def]
    main(["audit", "fairness", german, *GERMAN, "--intersections", "--format", "html",
          "--group-note", "Sex from the application form; nationality from ID checks."])
    html = capsys.readouterr().out
    assert html.startswith("<!doctype html>") and html.rstrip().endswith("</html>")
    for section in ("Scope", "How group data was obtained", "Selection by group",
                    "Intersections", "Error-rate gaps", "Reach against eligibility",
                    "Data fingerprint", "Limitations", "Findings", "Policy judgement"):
        assert section in html, section
    assert "Sex from the application form" in html
    assert "659b9350fa46a8dab7e73daa167c28a488d0714aa39d643295347d1f82b3696f" in html
    assert html.count("<svg") == 2 and "<script" not in html
    assert 'id="verdict">fail<' in html


def test_system_evidence_and_comparison(cli_env, runtime: Runtime, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    with runtime.unit(Actor.operator("t")) as unit:
        from steward.services import users

        users.add_user(unit, username="dan", roles="data_science", password="x" * 12)
        sid = systems.create_system(unit, {"name": "Offers", "purpose": "p", "owner": "dan",
                                           "ai_kinds": ["predictive_model"]})["id"]
    fair = fair_table(tmp_path / "fair.parquet")
    args = ["audit", "fairness", str(fair), "--group", "segment", "--decision", "offered",
            "--label", "took_up", "--score", "score", "--system", str(sid)]
    assert main([*args, "--format", "json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["evidence"]["system_id"] == sid and first["comparison"] is None
    assert first["groups"][0]["calibration"] is not None
    assert main(args) == 0
    out = capsys.readouterr().out
    assert f"previous audit {first['evidence']['id']}: pass → pass (same)" in out
    assert main(["audit", "list", "--system", str(sid), "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert len(listed) == 2 and {a["kind"] for a in listed} == {"fairness_audit"}
    assert main(["audit", "show", str(listed[0]["id"]), "--format", "html"]) == 0
    assert "Against the previous audit" in capsys.readouterr().out
    assert main(["audit", "show", "999"]) == 2


def test_help_documents_the_exit_codes(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["audit", "fairness", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "0 when the verdict is pass or warn, 1 when it is fail, 2 for bad input" in text
    for option in ("--group", "--decision", "--threshold", "--label", "--score",
                   "--intersections", "--reference", "--min-group-size", "--system",
                   "--format"):
        assert option in text


def test_json_output_keeps_its_shape(capsys) -> None:  # type: ignore[no-untyped-def]
    """The JSON writer (orjson) writes dates as str() does, non-text keys as text and NaN as
    null, indented for people."""
    import json
    from datetime import UTC, datetime

    from steward.cli.context import Format, emit

    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    emit({"at": when, 3: "x", "ratio": float("nan"), "name": "Zoë"}, fmt=Format.json)
    text = capsys.readouterr().out
    assert json.loads(text) == {"at": str(when), "3": "x", "ratio": None, "name": "Zoë"}
    assert text.startswith('{\n  "at": "2026-01-02 03:04:05+00:00"')
