"""KPIs: CSV, JSON Lines and API rows; whole-batch checks; replacement; monthly roll-ups; audit."""

from __future__ import annotations

from pathlib import Path

import pytest

from steward.errors import InvalidInput, NotFound
from steward.services import audit_log, auditors, kpis, systems, users
from steward.services.runtime import Actor, Runtime

CSV = """date,system,campaign,metric,value
2026-01-05,Mailer,spring,impressions,1000
2026-01-12,Mailer,spring,impressions,"1,500"
2026-01-05,Mailer,spring,CTR,0.02
2026-01-12,Mailer,spring,ctr,0.04
2026-02-02,Mailer,,Customer satisfaction,4.5
"""


@pytest.fixture
def sid(runtime: Runtime, operator: Actor) -> int:
    with runtime.unit(operator) as unit:
        users.add_user(unit, username="maya", roles="marketing")
        users.add_user(unit, username="aud", roles="auditor")
        systems.create_system(unit, {"name": "Other", "purpose": "x", "owner": "maya",
                                            "ai_kinds": ["generative_text"]})
        return systems.create_system(unit, {"name": "Mailer", "purpose": "e-mail copy",
                                            "owner": "maya",
                                            "ai_kinds": ["generative_text"]})["id"]


def test_csv_ingest_names_metrics_and_rolls_up_by_month(runtime, operator, sid,  # type: ignore[no-untyped-def]
                                                         tmp_path: Path) -> None:
    path = tmp_path / "kpis.csv"
    path.write_text(CSV)
    with runtime.unit(operator) as unit:
        result = kpis.ingest_file(unit, path)
        assert result == {"figures": 5, "inserted": 5, "replaced": 0, "unchanged": 0,
                          "systems": [sid], "source": "file:kpis.csv"}
        monthly = kpis.monthly(unit, system_ids=[sid])
        rows = kpis.list_kpis(unit, system_id=sid)
    assert monthly["impressions"] == [("2026-01", 2500.0)]           # summed
    assert monthly["click_through"] == [("2026-01", pytest.approx(0.03))]  # averaged
    assert monthly["customer_satisfaction"] == [("2026-02", 4.5)]
    assert {r["metric"] for r in rows} == {"impressions", "click_through",
                                           "customer_satisfaction"}
    assert {r["campaign"] for r in rows} == {"spring", ""}


def test_same_key_replaces_and_the_ingest_is_audited(runtime, operator, sid) -> None:  # type: ignore[no-untyped-def]
    row = {"date": "2026-03-01", "system": sid, "metric": "revenue", "value": 10}
    with runtime.unit(operator) as unit:
        kpis.ingest(unit, [row])
        again = kpis.ingest(unit, [{**row, "value": 12}, {**row, "metric": "cost", "value": 3}])
        assert again["replaced"] == 1 and again["inserted"] == 1
        assert [r["value"] for r in kpis.list_kpis(unit, metric="revenue")] == [12.0]
        entries = [e for e in audit_log.export(unit, object_type="ai_system",
                                               object_id=str(sid))
                   if e["action"] == "kpi.ingest"]
        assert audit_log.verify(unit).ok
    assert len(entries) == 2
    assert entries[-1]["after"]["metrics"] == ["cost", "revenue"]
    assert len(entries[-1]["after"]["sha256"]) == 64


def test_jsonl_and_arrays_parse(sid) -> None:  # type: ignore[no-untyped-def]
    lines = '{"date": "2026-01-01", "system": "Mailer", "metric": "cost", "value": 1}\n\n'
    assert len(kpis.parse_jsonl(lines)) == 1
    assert len(kpis.parse_jsonl('[{"a": 1}, {"b": 2}]')) == 2
    with pytest.raises(InvalidInput, match="line 2: not valid JSON"):
        kpis.parse_jsonl('{"a": 1}\n{oops\n')
    with pytest.raises(InvalidInput, match="header lacks metric, value"):
        kpis.parse_csv("date,system\n2026-01-01,1\n")


@pytest.mark.parametrize(("change", "message"), [
    ({"date": "01/02/2026"}, "row 2: date '01/02/2026' is not an ISO date"),
    ({"system": "Nope"}, "row 2: no AI system 'Nope'"),
    ({"value": "abc"}, "row 2: value 'abc' is not a number"),
    ({"value": float("nan")}, "row 2: value must be a finite number"),
    ({"metric": "Bad!"}, "row 2: metric 'Bad!' must be a lower-case name"),
    ({"metric": ""}, "row 2: metric is missing"),
])
def test_one_bad_row_refuses_the_batch(runtime, operator, sid, change, message) -> None:  # type: ignore[no-untyped-def]
    good = {"date": "2026-01-01", "system": "Mailer", "metric": "cost", "value": 1}
    with pytest.raises(InvalidInput, match=message), runtime.unit(operator) as unit:
        kpis.ingest(unit, [good, {**good, **change}])
    with runtime.unit(operator) as unit:
        assert kpis.list_kpis(unit) == []


def test_roles_and_auditor_visibility(runtime, operator, sid) -> None:  # type: ignore[no-untyped-def]
    with runtime.unit(operator) as unit:
        kpis.ingest(unit, [{"date": "2026-01-01", "system": sid, "metric": "cost", "value": 1},
                           {"date": "2026-01-01", "system": "Other", "metric": "cost",
                            "value": 2}])
        view = users.get_user(unit, "aud")
    auditor = Actor(name="aud", roles=frozenset(view.roles), user_id=view.id)  # type: ignore[arg-type]
    with runtime.unit(auditor) as unit:
        assert kpis.list_kpis(unit) == []
        with pytest.raises(NotFound):
            kpis.list_kpis(unit, system_id=sid)
    with runtime.unit(operator) as unit:
        auditors.grant(unit, username="aud", system_id=sid)
    with runtime.unit(auditor) as unit:
        assert [r["system_id"] for r in kpis.list_kpis(unit)] == [sid]
        with pytest.raises(Exception, match="may not ingest KPIs"):
            kpis.ingest(unit, [{"date": "2026-01-01", "system": sid, "metric": "x",
                                "value": 1}])
