"""The inventory service: records, classification, obligations, history, import/export."""

import json

import pytest

from steward.errors import Conflict, Forbidden, InvalidInput, NotFound
from steward.services import audit_log, systems, systems_transfer, users
from steward.services.runtime import Actor, Runtime

CHATBOT = {
    "name": "Support bot", "purpose": "Answer delivery questions", "owner": "maya",
    "ai_kinds": ["chatbot"], "channels": ["chat"], "customer_facing": True,
    "jurisdictions": ["eu", "US-CA"], "vendor": "Intercom",
    "data_categories": ["user.contact.email"],
    "data_uses": ["essential.service.operations.support"],
    "consent_purposes": ["support"],
}
CHATBOT_ANSWERS = {"role": "deployer", "ai_kind": ["chatbot"], "uses": ["customer_service"],
                   "interacts_with_people": True, "personal_data": True,
                   "jurisdictions": ["EU", "US-CA"]}


@pytest.fixture
def people(runtime: Runtime, operator: Actor) -> None:
    with runtime.unit(operator) as unit:
        users.add_user(unit, username="maya", roles="marketing")
        users.add_user(unit, username="leo", roles="legal")
        users.add_user(unit, username="aud", roles="auditor")


def _as(runtime: Runtime, username: str) -> Actor:
    with runtime.unit(Actor.system()) as unit:
        return users.actor_named(unit, username)


@pytest.mark.usefixtures("people")
def test_create_normalises_and_audits(runtime: Runtime, operator: Actor) -> None:
    with runtime.unit(_as(runtime, "maya")) as unit:
        record = systems.create_system(unit, CHATBOT)
    assert record["jurisdictions"] == ["EU", "US-CA"] and record["stage"] == "proposed"
    assert record["tier"] is None and record["owner"] == "maya"
    with runtime.unit(operator) as unit:
        last = list(audit_log.export(unit))[-1]
    assert last["action"] == "system.create" and last["actor"] == "maya"
    assert last["after"]["name"] == "Support bot"


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"owner": "nobody"}, "owner 'nobody' is not a user"),
        ({"owner": "aud"}, "auditor"),
        ({"ai_kinds": ["telepathy"]}, "ai_kinds.0"),
        ({"ai_kinds": []}, "ai_kinds"),
        ({"jurisdictions": ["Mars"]}, "not a jurisdiction"),
        ({"data_categories": ["user.shoe_size"]}, "unknown fideslang data category"),
        ({"data_uses": ["world_domination"]}, "unknown fideslang data use"),
        ({"stage": "launched"}, "stage"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_records_are_refused_with_one_line(runtime: Runtime, operator: Actor,
                                               change: dict, message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as info, runtime.unit(operator) as unit:
        systems.create_system(unit, {**CHATBOT, **change})
    assert "\n" not in str(info.value)
    with runtime.unit(operator) as unit:
        assert systems.list_systems(unit) == []


@pytest.mark.usefixtures("people")
def test_names_are_unique(runtime: Runtime, operator: Actor) -> None:
    with runtime.unit(operator) as unit:
        systems.create_system(unit, CHATBOT)
    with pytest.raises(Conflict, match="already exists"), runtime.unit(operator) as unit:
        systems.create_system(unit, CHATBOT)


@pytest.mark.usefixtures("people")
def test_auditors_cannot_register_or_change(runtime: Runtime) -> None:
    with pytest.raises(Forbidden), runtime.unit(_as(runtime, "aud")) as unit:
        systems.create_system(unit, CHATBOT)


@pytest.mark.usefixtures("people")
def test_list_filters(runtime: Runtime, operator: Actor) -> None:
    with runtime.unit(operator) as unit:
        systems.create_system(unit, CHATBOT)
        systems.create_system(unit, {**CHATBOT, "name": "Lead scorer", "vendor": None,
                                     "stage": "production", "owner": "leo",
                                     "ai_kinds": ["predictive_model"]})
    with runtime.unit(operator) as unit:
        produced = systems.list_systems(unit, stage="production")
        assert [s["name"] for s in produced] == ["Lead scorer"]
        assert [s["name"] for s in systems.list_systems(unit, owner="maya")] == ["Support bot"]
        assert [s["name"] for s in systems.list_systems(unit, vendor="inter")] == ["Support bot"]
        assert len(systems.list_systems(unit, tier="unclassified")) == 2
        with pytest.raises(InvalidInput, match="unknown stage"):
            systems.list_systems(unit, stage="launched")
        with pytest.raises(InvalidInput, match="unknown tier"):
            systems.list_systems(unit, tier="medium")


@pytest.mark.usefixtures("people")
def test_update_keeps_history_and_guards_versions(runtime: Runtime, operator: Actor) -> None:
    with runtime.unit(operator) as unit:
        created = systems.create_system(unit, CHATBOT)
    with runtime.unit(operator) as unit:
        updated = systems.update_system(unit, created["id"], {"purpose": "Answer everything"},
                                        expected_version=created["version"])
    assert updated["purpose"] == "Answer everything" and updated["version"] == 2
    with pytest.raises(Conflict, match="changed since you read it"), runtime.unit(operator) as u:
        systems.update_system(u, created["id"], {"purpose": "x"}, expected_version=1)
    with pytest.raises(InvalidInput, match="nothing to change"), runtime.unit(operator) as u:
        systems.update_system(u, created["id"], {})
    with runtime.unit(operator) as unit:
        entry = list(audit_log.export(unit, object_type="ai_system"))[-1]
    assert entry["before"]["purpose"] == "Answer delivery questions"
    assert entry["after"]["purpose"] == "Answer everything"


@pytest.mark.usefixtures("people")
def test_classification_creates_tracked_obligations(runtime: Runtime, operator: Actor) -> None:
    with runtime.unit(operator) as unit:
        created = systems.create_system(unit, CHATBOT)
        result = systems.classify_system(unit, created["id"], CHATBOT_ANSWERS)
    assert result["classification"]["tier"] == "limited"
    obligations = {o["id"]: o for o in result["system"]["obligations"]}
    assert "ca.bpc17941.bot_disclosure" in obligations
    bot = obligations["ca.bpc17941.bot_disclosure"]
    assert bot["status"] == "open" and bot["citation"]["instrument"]
    assert bot["citation"]["url"].startswith("https://")
    assert result["system"]["tier"] == "limited"


@pytest.mark.usefixtures("people")
def test_reclassification_withdraws_reopens_and_keeps_history(runtime: Runtime,
                                                              operator: Actor) -> None:
    with runtime.unit(operator) as unit:
        sid = systems.create_system(unit, CHATBOT)["id"]
        systems.classify_system(unit, sid, CHATBOT_ANSWERS)
    eu_only = {**CHATBOT_ANSWERS, "jurisdictions": ["EU"]}
    with runtime.unit(operator) as unit:
        record = systems.classify_system(unit, sid, eu_only)["system"]
    statuses = {o["id"]: o["status"] for o in record["obligations"]}
    assert statuses["ca.bpc17941.bot_disclosure"] == "withdrawn"
    with runtime.unit(operator) as unit:
        record = systems.classify_system(unit, sid, CHATBOT_ANSWERS)["system"]
        history = [e for e in audit_log.export(unit, object_type="ai_system")
                   if e["action"] == "system.classify"]
    assert {o["id"]: o["status"] for o in record["obligations"]}[
        "ca.bpc17941.bot_disclosure"] == "open"
    assert len(history) == 3
    assert history[1]["before"]["answers"]["jurisdictions"] == ["EU", "US-CA"]
    assert history[1]["after"]["answers"]["jurisdictions"] == ["EU"]


@pytest.mark.usefixtures("people")
def test_bad_answers_are_one_line_and_change_nothing(runtime: Runtime, operator: Actor) -> None:
    with runtime.unit(operator) as unit:
        sid = systems.create_system(unit, CHATBOT)["id"]
    with pytest.raises(InvalidInput, match="colour"), runtime.unit(operator) as unit:
        systems.classify_system(unit, sid, {**CHATBOT_ANSWERS, "colour": "blue"})
    with runtime.unit(operator) as unit:
        assert systems.get_system(unit, sid)["tier"] is None


@pytest.mark.usefixtures("people")
def test_obligation_decisions(runtime: Runtime, operator: Actor) -> None:
    with runtime.unit(operator) as unit:
        sid = systems.create_system(unit, CHATBOT)["id"]
        systems.classify_system(unit, sid, CHATBOT_ANSWERS)
    maya, leo = _as(runtime, "maya"), _as(runtime, "leo")
    oid = "ca.bpc17941.bot_disclosure"
    with runtime.unit(maya) as unit:  # the owner records evidence that it is met
        met = systems.decide_obligation(unit, sid, oid, status="met",
                                        evidence_link="https://wiki/bot-banner")
    assert met["status"] == "met" and met["decided_by"] == "maya"
    with pytest.raises(Forbidden, match="waived"), runtime.unit(maya) as unit:
        systems.decide_obligation(unit, sid, oid, status="waived", reason="because")
    with pytest.raises(InvalidInput, match="needs a reason"), runtime.unit(leo) as unit:
        systems.decide_obligation(unit, sid, oid, status="waived")
    with runtime.unit(leo) as unit:
        waived = systems.decide_obligation(unit, sid, oid, status="waived",
                                           reason="Bot never serves Californians")
    assert waived["waiver_reason"] == "Bot never serves Californians"
    assert waived["decided_by"] == "leo"
    with pytest.raises(NotFound), runtime.unit(leo) as unit:
        systems.decide_obligation(unit, sid, "no.such", status="met")


@pytest.mark.usefixtures("people")
def test_retire(runtime: Runtime, operator: Actor) -> None:
    with runtime.unit(operator) as unit:
        sid = systems.create_system(unit, CHATBOT)["id"]
    with pytest.raises(InvalidInput, match="reason"), runtime.unit(operator) as unit:
        systems.retire_system(unit, sid, reason=" ")
    with runtime.unit(operator) as unit:
        retired = systems.retire_system(unit, sid, reason="Replaced by vendor B")
    assert retired["stage"] == "retired" and retired["retired_at"]
    with pytest.raises(Conflict, match="retired"), runtime.unit(operator) as unit:
        systems.update_system(unit, sid, {"purpose": "x"})


@pytest.mark.usefixtures("people")
def test_export_then_import_round_trips(runtime: Runtime, operator: Actor) -> None:
    with runtime.unit(operator) as unit:
        systems.create_system(unit, {**CHATBOT, "training_data_sources": [
            {"name": "FAQ corpus", "owner": "Northwind", "licence": "own"}],
            "output_ip_indemnity": True})
        csv_text = systems_transfer.export_systems(unit, fmt="csv")
        json_text = systems_transfer.export_systems(unit, fmt="json")
    rows = systems_transfer.parse_csv(csv_text)
    assert rows[0]["jurisdictions"] == ["EU", "US-CA"]
    assert rows[0]["training_data_sources"][0]["name"] == "FAQ corpus"
    assert rows[0]["output_ip_indemnity"] is True
    renamed = [{**rows[0], "name": "Support bot 2"}]
    with runtime.unit(operator) as unit:
        assert systems_transfer.import_systems(unit, renamed) == {"created": 1, "updated": 0}
        again = systems_transfer.parse_json(json_text)
        assert systems_transfer.import_systems(unit, again) == {"created": 0, "updated": 1}
        copy = systems.list_systems(unit, search="Support bot 2")[0]
    assert copy["jurisdictions"] == ["EU", "US-CA"]
    assert json.loads(json_text)[0]["obligations"] == []


@pytest.mark.usefixtures("people")
def test_import_is_all_or_nothing(runtime: Runtime, operator: Actor) -> None:
    good = {k: v for k, v in CHATBOT.items()}
    bad = {**CHATBOT, "name": "Broken", "owner": "ghost"}
    with pytest.raises(InvalidInput, match=r"system 2 \(Broken\): owner 'ghost'"), \
            runtime.unit(operator) as unit:
        systems_transfer.import_systems(unit, [good, bad])
    with runtime.unit(operator) as unit:
        assert systems.list_systems(unit) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("name,colour\nx,blue\n", "unknown CSV column 'colour'"),
        ("name,purpose\nx,y,z\n", "row 2: more cells"),
        ("name,customer_facing\nx,maybe\n", "row 2: customer_facing must be true or false"),
    ],
)
def test_bad_csv_is_one_line(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        systems_transfer.parse_csv(text)


def test_bad_json_is_one_line() -> None:
    with pytest.raises(InvalidInput, match="not valid JSON"):
        systems_transfer.parse_json("{nope")
    with pytest.raises(InvalidInput, match="list of system objects"):
        systems_transfer.parse_json("[1, 2]")
