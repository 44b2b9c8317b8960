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
from steward.errors import ConfigurationError, Forbidden, InvalidInput, NotFound
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


TOKENIZE = {"suppress_small_classes": False,
            "columns": {"email": "tokenize", "customer_id": "tokenize", "first_name": "drop",
                        "last_name": "drop", "phone": "pseudonym", "notes": "drop",
                        "street_address": "drop"}}
REASON = "DSAR 2025-114: the customer asked for their record"


def _tokenized(runtime, operator):  # type: ignore[no-untyped-def]
    with runtime.unit(operator) as unit:
        return privacy.anonymize(unit, source="customers.parquet", plan=TOKENIZE,
                                 out="tokens.parquet", confine=True, keep=True)


def test_privacy_and_legal_reveal_tokens_each_reveal_audited_without_the_value(
        runtime, operator, setup, settings):
    with runtime.unit(operator) as unit:
        users.add_user(unit, username="leo", roles="legal", password="x" * 12)
    result = _tokenized(runtime, operator)
    assert result["vault"]["path"].startswith("vault/") and result["vault"]["entries"] == 3000
    assert result["evidence"]["summary"]["vault"]["key_id"] == result["vault"]["key_id"]
    shift = result["evidence"]["summary"]["distribution_shift"]
    assert shift["spend"] == {"psi": 0.0, "js_distance": 0.0}  # kept, nothing suppressed
    assert "email" not in shift and result["utility"]["email"]["compared"] is None
    output = pq.read_table(settings.data_dir / result["output"])
    raw = synthetic_customers(1500, seed=3)
    assert not set(output.column("email").to_pylist()) & set(raw.column("email").to_pylist())
    tokens = output.column("email").to_pylist()[:3] + output.column("customer_id").to_pylist()[:1]
    for name in ("priya", "leo"):
        with runtime.unit(operator) as unit:
            unit.actor = users.actor_named(unit, name)
            revealed = privacy.reveal(unit, tokens, reason=REASON)
        assert [r["value"] for r in revealed] == raw.column("email").to_pylist()[:3] + \
            raw.column("customer_id").to_pylist()[:1]
        assert [r["column"] for r in revealed] == ["email"] * 3 + ["customer_id"]
    with runtime.unit(operator) as unit:
        entries = list(audit_log.export(unit, object_type="token"))
        chain = audit_log.verify(unit)
    assert len(entries) == 8 and chain.ok
    assert {(e["actor"], e["action"]) for e in entries} == {("priya", "privacy.reveal"),
                                                           ("leo", "privacy.reveal")}
    assert [e["object_id"] for e in entries[:4]] == tokens
    assert all(e["after"]["reason"] == REASON for e in entries)
    text = json.dumps(entries)
    assert not any(v in text for v in raw.column("email").to_pylist()[:3])


@pytest.mark.parametrize("role", ["marketing", "data_science", "it", "committee", "auditor"])
def test_other_roles_may_not_reveal(runtime, operator, setup, role):
    result = _tokenized(runtime, operator)
    with runtime.unit(operator) as unit:
        first = pq.read_table(unit.settings.data_dir / result["output"]).column("email")[0]
    with runtime.unit(person("x", role)) as unit, pytest.raises(Forbidden, match="reveal"):
        privacy.reveal(unit, [first.as_py()], reason=REASON)


def test_a_reveal_needs_a_reason_and_known_well_formed_tokens(runtime, operator, setup):
    result = _tokenized(runtime, operator)
    with runtime.unit(operator) as unit:
        first = pq.read_table(unit.settings.data_dir / result["output"]).column("email")[0]
        with pytest.raises(InvalidInput, match="say why"):
            privacy.reveal(unit, [first.as_py()], reason="  because ")
        with pytest.raises(InvalidInput, match="not a vault token"):
            privacy.reveal(unit, ["tok_nope"], reason=REASON)
        with pytest.raises(NotFound, match="no vault entry"):
            privacy.reveal(unit, ["tok_" + "a" * 32], reason=REASON)
        with pytest.raises(InvalidInput, match="at most 100"):
            privacy.reveal(unit, [f"tok_{i:032x}" for i in range(101)], reason=REASON)
        entries = list(audit_log.export(unit, object_type="token"))
    assert entries == []


def test_the_vault_key_is_its_own_secret(runtime, operator, setup, settings):
    with runtime.unit(operator) as unit:
        assert privacy.vault_key(unit, create=False) is None
        with pytest.raises(NotFound, match="no vault yet"):
            privacy.reveal(unit, ["tok_" + "a" * 32], reason=REASON)
        made = privacy.vault_key(unit)
    key_file = settings.data_dir / "keys" / "vault.key"
    assert oct(os.stat(key_file).st_mode & 0o777) == "0o600"
    with runtime.unit(operator) as unit:
        assert privacy.vault_key(unit).key_id == made.key_id
        unit.settings = settings.model_copy(update={"vault_key": SecretStr("vault-from-env")})
        assert privacy.vault_key(unit).key_id != made.key_id
        unit.settings = settings.model_copy(update={"vault_key": SecretStr("same"),
                                                    "pseudonym_key": SecretStr("same")})
        with pytest.raises(ConfigurationError, match="must not be the pseudonym key"):
            privacy.vault_key(unit)


def test_keys_and_vault_cannot_be_read_as_tables(runtime, operator, setup):
    result = _tokenized(runtime, operator)
    with runtime.unit(operator) as unit:
        listed = [f["path"] for f in privacy.data_files(unit)]
        for source in (result["vault"]["path"], "keys/vault.key"):
            with pytest.raises(InvalidInput, match="keys, vault and consent folders"):
                privacy.scan(unit, source=source, confine=True)
    assert "tokens.parquet" in listed and not any(p.startswith("vault") for p in listed)
