"""Fairness audits as a use case: policy thresholds, policy judgement, evidence, comparison,
confinement to the data directory, uploads and access."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from steward.core.roles import Role
from steward.errors import Forbidden, InvalidInput, NotFound
from steward.rules.policy_loader import default_pack_text
from steward.services import audits, evidence, policy, systems, users
from steward.services.runtime import Actor, Runtime

SYSTEM = {"name": "Offer model", "purpose": "card offers", "owner": "dan",
          "ai_kinds": ["predictive_model"]}


def decisions(path: Path, *, selected: dict[str, tuple[int, int]]) -> Path:
    """A decision table with exact counts: ``{group: (selected, rows)}``."""
    groups, offered = [], []
    for name, (chosen, rows) in selected.items():
        groups += [name] * rows
        offered += [1] * chosen + [0] * (rows - chosen)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"segment": groups, "offered": np.array(offered, dtype=np.int8)}),
                   path)
    return path


@pytest.fixture
def setup(runtime: Runtime, operator: Actor, settings) -> dict:  # type: ignore[no-untyped-def]
    with runtime.unit(operator) as unit:
        users.add_user(unit, username="dan", roles="data_science", password="x" * 12)
        users.add_user(unit, username="audrey", roles="auditor", password="x" * 12)
        sid = systems.create_system(unit, SYSTEM)["id"]
    mild = decisions(settings.data_dir / "q1.parquet",
                     selected={"a": (1000, 2000), "b": (900, 2000)})  # ratio 0.9
    worse = decisions(settings.data_dir / "q2.parquet",
                      selected={"a": (1000, 2000), "b": (700, 2000)})  # ratio 0.7
    return {"sid": sid, "mild": mild, "worse": worse}


def publish(runtime: Runtime, operator: Actor, replace: dict[str, str]) -> int:
    document = default_pack_text()
    for old, new in replace.items():
        assert old in document
        document = document.replace(old, new)
    with runtime.unit(operator) as unit:
        version = policy.create_draft(unit, document=document)["version"]
        policy.publish(unit, version)
    return version


def run(runtime: Runtime, actor: Actor, source: Path | str, **options):  # type: ignore[no-untyped-def]
    with runtime.unit(actor) as unit:
        return audits.run_fairness_audit(unit, source=str(source), groups=["segment"],
                                         decision="offered", **options)


def test_default_policy_thresholds_judge_a_passing_audit(runtime, operator, setup) -> None:  # type: ignore[no-untyped-def]
    result = run(runtime, operator, setup["mild"])
    assert result["verdict"] == "pass" and result["engine_verdict"] == "pass"
    assert result["policy"]["version"] == policy.DEFAULT_VERSION
    assert result["policy"]["outcome"] == "pass"
    assert result["thresholds"]["min_selection_rate_ratio"] == 0.8
    assert result["options"]["min_group_size"] == 30  # the pack's fairness.min_group_size
    assert result["evidence"] is None and result["comparison"] is None
    ratios = {g["group"]["segment"]: g["selection_rate_ratio"] for g in result["groups"]}
    assert ratios == {"a": 1.0, "b": pytest.approx(0.9)}


def test_thresholds_come_from_the_published_policy(runtime, operator, setup) -> None:  # type: ignore[no-untyped-def]
    version = publish(runtime, operator, {
        "fairness.min_group_size: 30": "fairness.min_group_size: 50",
        "fairness.alpha: 0.05": "fairness.alpha: 0.01",
        "fairness.representation_ratio_min: 0.8": "fairness.representation_ratio_min: 0.7\n"
                                                  "  fairness.demographic_parity_max: 0.2"})
    result = run(runtime, operator, setup["mild"])
    assert result["policy"]["version"] == version
    assert result["options"]["min_group_size"] == 50
    assert result["thresholds"]["alpha"] == 0.01
    assert result["thresholds"]["min_representation_ratio"] == 0.7
    assert result["thresholds"]["max_demographic_parity_difference"] == 0.2
    # an explicit minimum group size still wins over the policy's for the engine
    assert run(runtime, operator, setup["mild"], min_group_size=10)["options"][
        "min_group_size"] == 10


def test_a_stricter_published_policy_changes_the_verdict(runtime, operator, setup) -> None:  # type: ignore[no-untyped-def]
    assert run(runtime, operator, setup["mild"])["verdict"] == "pass"
    publish(runtime, operator, {"fairness.selection_rate_ratio_min: 0.8":
                                "fairness.selection_rate_ratio_min: 0.95"})
    result = run(runtime, operator, setup["mild"])
    assert result["verdict"] == "fail"
    assert result["policy"]["outcome"] == "block"
    fired = [f for f in result["findings"] if f["metric"] == "policy:fairness.four_fifths"]
    assert fired and fired[0]["verdict"] == "fail" and "segment = b" in fired[0]["reason"]
    assert "29 CFR Part 1607" in fired[0]["citation"]


def test_the_policy_makes_the_engine_verdict_stricter_never_laxer(  # type: ignore[no-untyped-def]
        runtime, operator, settings) -> None:
    # 40 rows per group: ratio 0.7 but not significant, so the engine only warns; the policy's
    # four-fifths rule (severity block) applies to every group of 30 or more and fails it.
    small = decisions(settings.data_dir / "small.parquet",
                      selected={"a": (20, 40), "b": (14, 40)})
    result = run(runtime, operator, small)
    assert result["engine_verdict"] == "warn"
    assert result["verdict"] == "fail" and result["verdicts"]["policy"] == "fail"
    assert audits.combine("fail", "pass") == "fail"
    assert audits.combine("pass", "warn") == "warn"
    assert audits.combine("warn", "block") == "fail"
    assert audits.combine("pass", "info") == "pass"


def test_a_system_audit_is_evidence_with_fingerprint_and_policy_version(  # type: ignore[no-untyped-def]
        runtime, operator, setup) -> None:
    sid = setup["sid"]
    dan = Actor(name="dan", roles=frozenset({Role.DATA_SCIENCE}), via="api")
    first = run(runtime, dan, setup["mild"], system_id=sid)
    stored = first["evidence"]
    assert stored["kind"] == "fairness_audit" and stored["verdict"] == "pass"
    assert stored["policy_version"] == "0"
    assert stored["data_fingerprint"]["rows"] == 4000
    assert len(stored["data_fingerprint"]["sha256"]) == 64
    assert {c["name"] for c in stored["data_fingerprint"]["columns"]} == {"segment", "offered"}
    assert stored["summary"]["worst_selection_rate_ratio"] == {"segment": pytest.approx(0.9)}
    assert first["comparison"] is None
    with runtime.unit(operator) as unit:
        latest = evidence.latest_evidence(unit, system_id=sid, kind="fairness_audit")
    assert latest["payload"]["verdict"] == "pass"
    assert latest["payload"]["groups"][0]["group"] == {"segment": "a"}

    second = run(runtime, dan, setup["worse"], system_id=sid)
    change = second["comparison"]
    assert change["previous_id"] == stored["id"]
    assert change["previous_verdict"] == "pass" and change["verdict"] == "fail"
    assert change["verdict_change"] == "worse" and change["same_data"] is False
    assert change["worst_selection_rate_ratio"]["segment"]["previous"] == pytest.approx(0.9)
    assert change["worst_selection_rate_ratio"]["segment"]["current"] == pytest.approx(0.7)
    assert change["worst_selection_rate_ratio"]["segment"]["change"] == pytest.approx(-0.2)

    with runtime.unit(operator) as unit:
        again = audits.get_audit(unit, second["evidence"]["id"])
        assert again["comparison"] == change
        assert audits.get_audit(unit, stored["id"])["comparison"] is None
        assert [a["id"] for a in audits.list_audits(unit, system_id=sid)] == [
            second["evidence"]["id"], stored["id"]]


def test_the_production_gate_accepts_a_passing_audit_and_refuses_a_failing_one(  # type: ignore[no-untyped-def]
        runtime, operator, setup) -> None:
    from steward.services import gates

    def evidence_missing() -> list[str]:
        with runtime.unit(operator) as unit:
            check = gates.check(unit, setup["sid"], to="production")
        return [m["detail"] for m in check.missing if m["kind"] == "evidence"]

    assert any("no fairness_audit evidence" in d for d in evidence_missing())
    run(runtime, operator, setup["mild"], system_id=setup["sid"])
    assert evidence_missing() == []
    run(runtime, operator, setup["worse"], system_id=setup["sid"])
    assert any("fail" in d for d in evidence_missing())


def test_paths_outside_the_data_directory_are_refused(runtime, operator, setup, tmp_path) -> None:  # type: ignore[no-untyped-def]
    outside = decisions(tmp_path / "elsewhere" / "t.parquet", selected={"a": (1, 40), "b": (2, 40)})
    for path in (str(outside), "../elsewhere/t.parquet"):
        with pytest.raises(InvalidInput, match="only files under the data directory"):
            run(runtime, operator, path, confine=True)
    result = run(runtime, operator, "q1.parquet", confine=True)
    assert result["scope"]["source"] == "q1.parquet"
    with pytest.raises(InvalidInput, match="only files under the data directory"):
        run(runtime, operator, "q1.parquet", confine=True, reference=str(outside))


def test_bad_input_and_access(runtime, operator, setup) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput, match="column 'segmnt' not found"), \
            runtime.unit(operator) as unit:
        audits.run_fairness_audit(unit, source=str(setup["mild"]), groups=["segmnt"],
                                  decision="offered")
    with pytest.raises(NotFound):
        run(runtime, operator, setup["mild"], system_id=9999)
    auditor = Actor(name="audrey", roles=frozenset({Role.AUDITOR}), via="api")
    with pytest.raises(Forbidden):
        run(runtime, auditor, setup["mild"])


def test_a_bad_policy_threshold_is_named(runtime, operator, setup) -> None:  # type: ignore[no-untyped-def]
    publish(runtime, operator, {"fairness.selection_rate_ratio_min: 0.8":
                                "fairness.selection_rate_ratio_min: 8"})
    with pytest.raises(InvalidInput, match="policy version 1: .*min_selection_rate_ratio"):
        run(runtime, operator, setup["mild"])


def test_uploads_are_saved_under_the_data_directory(runtime, operator, settings) -> None:  # type: ignore[no-untyped-def]
    with runtime.unit(operator) as unit:
        saved = audits.save_upload(unit, "offers.csv",
                                   io.BytesIO(b"segment,offered\na,1\nb,0\na,0\n"))
        assert saved["path"].startswith("uploads/") and saved["path"].endswith(".csv")
        assert "offers" not in saved["path"]
        assert [c["name"] for c in saved["columns"]] == ["segment", "offered"]
        assert (settings.data_dir / saved["path"]).is_file()
        assert saved["path"] in [f["path"] for f in audits.data_files(unit)]
        with pytest.raises(InvalidInput, match="upload a .csv or .parquet file"):
            audits.save_upload(unit, "notes.txt", io.BytesIO(b"hello"))
        with pytest.raises(InvalidInput, match="larger than"):
            audits.save_upload(unit, "big.csv", io.BytesIO(b"a\n" * 1000), max_bytes=100)
        with pytest.raises(InvalidInput):
            audits.save_upload(unit, "broken.parquet", io.BytesIO(b"not parquet at all"))
    uploads = list((settings.data_dir / "uploads").iterdir())
    assert len(uploads) == 1  # the refused files were removed
