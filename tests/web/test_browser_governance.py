"""Real Chromium: a demo system walks from proposal to production through its gates."""

import pytest

from steward.services import audit_log, demo, evidence, systems
from steward.services.runtime import Actor

from .conftest import sign_in

pytestmark = pytest.mark.browser
SYSTEM = "Job-ad audience targeting"


def _log_in(page, username: str) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, username, demo.DEMO_PASSWORD)


def _log_out(page) -> None:  # type: ignore[no-untyped-def]
    page.click("text=Log out")
    page.wait_for_url("**/login")


def _approve(page, sid: int, username: str, role: str) -> None:  # type: ignore[no-untyped-def]
    _log_in(page, username)
    page.goto(f"/systems/{sid}#lifecycle")
    page.select_option("#decide-form select[name=role]", role)
    page.select_option("#decide-form select[name=decision]", "approve")
    page.click("#decide-form button")
    page.wait_for_url(f"**/systems/{sid}*")
    assert f"approve by {username} as {role}" in page.inner_text("#decisions")
    _log_out(page)


def test_walk_a_demo_system_from_proposal_to_production(runtime, page) -> None:  # type: ignore[no-untyped-def]
    demo.load_demo(runtime)
    operator = Actor.operator("setup")
    with runtime.unit(operator) as unit:
        sid = systems.list_systems(unit, search=SYSTEM)[0]["id"]
        for ob in systems.get_system(unit, sid)["obligations"]:  # documented elsewhere
            if ob["status"] == "open":
                systems.decide_obligation(unit, sid, ob["id"], status="met",
                                          evidence_link="https://wiki.northwind.example/dpia")

    # The owner tries to move to pilot: refused, naming what is missing.
    _log_in(page, "carlos")
    page.goto(f"/systems/{sid}")
    page.click("#move-form button")
    page.wait_for_url(f"**/systems/{sid}?refused=pilot*")
    missing = page.inner_text("#gate-missing")
    assert "approval by legal" in missing and "approval by privacy" in missing
    assert "owner carlos must complete" in missing

    # The owner cannot approve their own system.
    page.allowed_errors.append("status of 403 (Forbidden)")
    page.select_option("#decide-form select[name=role]", "committee")
    page.click("#decide-form button")
    assert "owner of a system cannot approve" in page.inner_text("main")

    # The owner completes the training the policy requires.
    page.goto("/training")
    buttons = page.locator("form[action='/training/complete'] button")
    for i in range(buttons.count()):
        buttons.nth(i).click()
        page.wait_for_url("**/training")
    _log_out(page)

    # Approvals by the right roles.
    for username, role in (("chloe", "committee"), ("leo", "legal"), ("priya", "privacy")):
        _approve(page, sid, username, role)

    _log_in(page, "carlos")
    page.goto(f"/systems/{sid}")
    assert "The gate to pilot is open" in page.inner_text("#gate-status")
    page.click("#move-form button")
    page.wait_for_url(f"**/systems/{sid}*")
    assert page.inner_text("#stage-now") == "pilot"

    # Production needs data science's approval and a passing bias audit.
    page.click("#request-review button")
    page.wait_for_url(f"**/systems/{sid}*")
    page.click("#move-form button")
    page.wait_for_url(f"**/systems/{sid}?refused=production*")
    missing = page.inner_text("#gate-missing")
    assert "approval by data_science" in missing and "fairness_audit" in missing
    _log_out(page)
    for username, role in (("chloe", "committee"), ("leo", "legal"), ("priya", "privacy"),
                           ("dan", "data_science")):
        _approve(page, sid, username, role)
    with runtime.unit(Actor.operator("dan")) as unit:
        evidence.record_evidence(unit, kind="fairness_audit", title="Reach by age and gender",
                                 payload={"verdict": "pass"}, system_id=sid, verdict="pass")

    _log_in(page, "carlos")
    page.goto(f"/systems/{sid}")
    assert "fairness_audit" in page.inner_text("#evidence")
    page.click("#move-form button")
    page.wait_for_url(f"**/systems/{sid}*")
    assert page.inner_text("#stage-now") == "production"
    _log_out(page)

    # Every step is in the audit log.
    with runtime.unit(operator) as unit:
        actions = [e["action"] for e in audit_log.export(unit, object_type="ai_system",
                                                         object_id=str(sid))]
    assert actions.count("system.move") == 2
    assert actions.count("review.approve") == 7
    assert "evidence.record" in actions and "review.request" in actions
