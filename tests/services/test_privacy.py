"""Privacy as a use case: keys, plans, anonymization judged by the policy and kept as evidence a
gate can require, confinement to the data directory, access, the demo step."""

from __future__ import annotations

import json
import os
import time

import pyarrow.parquet as pq
import pytest
from pydantic import SecretStr

from steward.engines.privacy import token
from steward.engines.privacy.synthetic import synthetic_customers
from steward.errors import Forbidden, InvalidInput
from steward.rules.policy_loader import default_pack_text
from steward.services import audit_log, demo, evidence, gates, policy, privacy, systems, users
from steward.services.runtime import Actor, Runtime

SYSTEM = {"name": "Churn model", "purpose": "churn", "owner": "priya",
          "ai_kinds": ["predictive_model"]}


@pytest.fixture
def setup(runtime: Runtime, operator: Actor, settings):  # type: ignore[no-untyped-def]
    with runtime.unit(operator) as unit:
        users.add_user(unit, username="priya", roles="privacy", password="x" * 12)
        users.add_user(unit, username="maya", roles="marketing", password="x" * 12)
        sid = systems.create_system(unit, SYSTEM)["id"]
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    pq.write_table(synthetic_customers(1500, seed=3), settings.data_dir / "customers.parquet")
    return {"sid": sid}


def person(name: str, role: str) -> Actor:
    return Actor(name=name, roles=frozenset({role}), user_id=1)


def test_anonymize_keeps_evidence_judged_by_the_policy(runtime, operator, setup, settings):
    with runtime.unit(operator) as unit:
        plan = privacy.make_plan(unit, source="customers.parquet", confine=True)
        result = privacy.anonymize(unit, source="customers.parquet", plan=plan["yaml"],
                                   system_id=setup["sid"], confine=True)
    assert result["verdict"] == "pass" and result["policy"]["outcome"] == "pass"
    assert result["risk_after"]["k_anonymity"] >= 5 and result["direct_identifiers_left"] == []
    assert result["output"].startswith("anonymized/")
    item = result["evidence"]
    assert item["kind"] == "dataset_anonymization" and item["system_id"] == setup["sid"]
    assert item["summary"]["k_anonymity"] >= 5 and "email" in item["summary"][
        "columns_transformed"]
    output = settings.data_dir / result["output"]
    import hashlib

    assert item["summary"]["sha256"] == hashlib.sha256(output.read_bytes()).hexdigest()
    with runtime.unit(operator) as unit:
        stored = privacy.get_anonymization(unit, item["id"])
        chain = audit_log.verify(unit)
    text = json.dumps(stored)
    raw = synthetic_customers(1500, seed=3)
    assert raw.column("email")[0].as_py() not in text  # evidence holds no raw value
    assert chain.ok


def test_the_key_comes_from_the_environment_or_a_private_key_file(runtime, operator, setup,
                                                                   settings):
    with runtime.unit(operator) as unit:
        created = privacy.pseudonym_key(unit)
    key_file = settings.data_dir / "keys" / "pseudonym.key"
    assert oct(os.stat(key_file).st_mode & 0o777) == "0o600"
    with runtime.unit(operator) as unit:
        assert privacy.pseudonym_key(unit) == created
        unit.settings = settings.model_copy(update={"pseudonym_key": SecretStr("from-env")})
        assert privacy.pseudonym_key(unit) == b"from-env"
        plan = {"suppress_small_classes": False,
                "columns": {"email": {"transform": "pseudonym", "normalize": "lower"}}}
        result = privacy.anonymize(unit, source="customers.parquet", plan=plan,
                                   out="env.parquet", confine=True)
    first = synthetic_customers(1500, seed=3).column("email")[0].as_py()
    assert pq.read_table(settings.data_dir / result["output"]).column("email")[0].as_py() == \
        token(b"from-env", first)
    assert "from-env" not in json.dumps(result)


def test_a_gate_can_require_anonymized_training_data(runtime, operator, setup):
    document = default_pack_text().replace("""    evidence:
      - kind: fairness_audit""", """    evidence:
      - kind: dataset_anonymization
        title: Training data anonymized, k >= 5
        accepted_verdicts: [pass]
      - kind: fairness_audit""", 1)
    with runtime.unit(operator) as unit:
        version = policy.create_draft(unit, document=document)["version"]
        policy.publish(unit, version)
        before = gates.check(unit, setup["sid"], to="production")
        plan = privacy.make_plan(unit, source="customers.parquet", confine=True)
        privacy.anonymize(unit, source="customers.parquet", plan=plan["plan"],
                          system_id=setup["sid"], confine=True)
        after = gates.check(unit, setup["sid"], to="production")

    def needed(check: gates.GateCheck) -> list[str]:
        return [m["detail"] for m in check.missing if "dataset_anonymization" in m["detail"]]

    assert needed(before) == ["Training data anonymized, k >= 5: no dataset_anonymization "
                              "evidence recorded"]
    assert needed(after) == []


def test_training_data_with_identifiers_is_blocked_by_the_policy(runtime, operator, setup):
    plan = {"k": 5, "quasi_identifiers": ["gender"], "suppress_small_classes": False,
            "columns": {"email": "keep", "gender": "keep"},
            "discovery": {"email": {"class": "direct_identifier", "pii_type": "EMAIL_ADDRESS"}}}
    with runtime.unit(operator) as unit:
        result = privacy.anonymize(unit, source="customers.parquet", plan=plan,
                                   out="bad.parquet", system_id=setup["sid"], confine=True)
    assert result["direct_identifiers_left"] == ["email"]
    assert result["verdict"] == "fail" and result["policy"]["outcome"] == "block"


def test_risk_and_scan_by_service(runtime, operator, setup):
    with runtime.unit(operator) as unit:
        found = privacy.scan(unit, source="customers.parquet", confine=True)
        report = privacy.assess_risk(unit, source="customers.parquet",
                                     quasi_identifiers=["gender", "state"], k=5,
                                     sensitive=["segment"], confine=True)
    assert {c["name"]: c["class"] for c in found["columns"]}["email"] == "direct_identifier"
    assert report["k"] == 5 and report["l_diversity"]["segment"]["min_l"] >= 1


def test_paths_outside_the_data_directory_are_refused(runtime, operator, setup, tmp_path):
    with runtime.unit(operator) as unit, pytest.raises(InvalidInput, match="data directory"):
        privacy.scan(unit, source="../outside.parquet", confine=True)
    with runtime.unit(operator) as unit, pytest.raises(InvalidInput, match="data directory"):
        privacy.anonymize(unit, source="customers.parquet", plan={"columns": {}},
                          out=str(tmp_path / "x.parquet"), confine=True)


def test_marketing_may_not_anonymize(runtime, setup):
    with runtime.unit(person("maya", "marketing")) as unit, pytest.raises(Forbidden):
        privacy.scan(unit, source="customers.parquet", confine=True)


def test_the_demo_keeps_an_anonymized_training_set(runtime, operator):
    started = time.perf_counter()
    demo.load_demo(runtime)
    with runtime.unit(operator) as unit:
        card = systems.list_systems(unit, search="Card offer")[0]["id"]
        items = evidence.list_evidence(unit, system_id=card, kind="dataset_anonymization")
    assert items and items[0]["verdict"] == "pass"
    assert items[0]["summary"]["k_anonymity"] >= 5
    assert time.perf_counter() - started < 60
