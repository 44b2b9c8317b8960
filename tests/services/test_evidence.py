import pytest

from steward.errors import NotFound
from steward.services import evidence, systems, users
from steward.services.runtime import Actor, Runtime


def test_record_and_read_evidence(runtime: Runtime, operator: Actor) -> None:
    with runtime.unit(operator) as unit:
        users.add_user(unit, username="dan", roles="data_science")
        sid = systems.create_system(unit, {"name": "Model", "purpose": "p", "owner": "dan",
                                           "ai_kinds": ["predictive_model"]})["id"]
        first = evidence.record_evidence(unit, kind="fairness_audit", title="Audit 1",
                                         payload={"verdict": "pass", "rows": 10},
                                         system_id=sid, verdict="pass",
                                         data_fingerprint={"rows": 10})
        second = evidence.record_evidence(unit, kind="fairness_audit", title="Audit 2",
                                          payload={"verdict": "fail"}, system_id=sid,
                                          verdict="fail", fresh_days=30)
    assert len(first["content_sha256"]) == 64 and not first["stale"]
    with runtime.unit(operator) as unit:
        latest = evidence.latest_evidence(unit, system_id=sid, kind="fairness_audit")
        assert latest is not None and latest["id"] == second["id"]
        assert latest["payload"] == {"verdict": "fail"}
        assert [e["id"] for e in evidence.list_evidence(unit, system_id=sid)] == [
            second["id"], first["id"]]
        with pytest.raises(NotFound):
            evidence.record_evidence(unit, kind="x", title="t", payload={}, system_id=999)
