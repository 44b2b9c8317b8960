"""The demo's monitoring: the drift alert opens an incident; the KPI monitor alerts too."""

from steward.services import alerts, demo, incidents, monitors, systems
from steward.services.runtime import Actor, Runtime


def test_demo_alert_opens_an_incident(runtime: Runtime, operator: Actor) -> None:
    report = demo.load_demo(runtime)
    assert any("3 monitors" in note for note in report.notes)
    with runtime.unit(operator) as unit:
        card = systems.list_systems(unit, search="Card offer")[0]["id"]
        listed = {m["name"]: m for m in monitors.list_monitors(unit)}
        raised = alerts.list_alerts(unit, status="open")
        opened = [i for i in incidents.list_incidents(unit, system_id=card)
                  if i["source"] == "alert"]
    assert {m["kind"] for m in listed.values()} == {"drift", "fairness", "kpi"}
    assert listed["weekly customer drift"]["last_status"] == "drift"
    assert listed["opt-out rate"]["last_status"] == "fail"
    assert listed["quarterly fairness"]["last_status"] is None  # left for the scheduler
    assert {(a["kind"], a["severity"]) for a in raised} == {("drift", "critical"),
                                                            ("kpi", "warning")}
    assert len(opened) == 1 and "spend_12m" in opened[0]["title"]
