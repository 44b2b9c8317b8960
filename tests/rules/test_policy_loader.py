"""The policy pack loader: the built-in default pack and packs in files, one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from steward.core.policy import PolicyPack, parse_pack
from steward.errors import InvalidInput
from steward.rules.policy_loader import default_pack, default_pack_text, load_pack_file

OFFICIAL_HOSTS = (
    "https://eur-lex.europa.eu/",
    "https://www.ecfr.gov/",
    "https://leginfo.legislature.ca.gov/",
)

DEFAULT_RULES = {
    "fairness.four_fifths", "fairness.equalized_odds", "fairness.small_groups",
    "content.ai_disclosure", "chatbot.bot_disclosure", "chatbot.human_handoff",
    "prohibited.practices", "oversight.high_risk_human_review", "privacy.sensitive_targeting",
    "vendor.trains_on_our_data", "consent.profiling", "privacy.sensitive_audience",
    "privacy.training_data_anonymised", "drift.alert",
}


def test_the_default_pack_is_shipped_as_yaml_text() -> None:
    text = default_pack_text()
    assert text.startswith("# Steward's default policy pack")
    assert isinstance(yaml.safe_load(text), dict)
    pack = default_pack()
    assert isinstance(pack, PolicyPack)
    assert pack == parse_pack(text)
    assert {r.id for r in pack.rules} == DEFAULT_RULES


def test_the_default_pack_cites_official_sources() -> None:
    pack = default_pack()
    for rule in pack.rules:
        assert rule.citation.url.startswith(OFFICIAL_HOSTS), rule.id
    for gate in pack.gates.values():
        for evidence in gate.evidence:
            assert evidence.citation is None or evidence.citation.url.startswith(OFFICIAL_HOSTS)


def test_the_default_pack_has_gates_attestation_and_incident_settings() -> None:
    pack = default_pack()
    assert set(pack.gates) == {"pilot", "production"}
    assert pack.gates["pilot"].approvals == ["committee", "legal", "privacy"]
    assert pack.gates["production"].extra_approvals[0].roles == ["data_science"]
    assert pack.attestation_roles == ["marketing", "data_science", "legal", "privacy",
                                      "committee"]
    assert pack.incidents.suspend_system_on_severity == "critical"


def test_a_pack_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "pack.yaml"
    path.write_text(default_pack_text().replace("Responsible AI marketing policy",
                                                "Northwind policy"), encoding="utf-8")
    assert load_pack_file(path).title == "Northwind policy"
    assert load_pack_file(str(path)).title == "Northwind policy"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("title: [", "not valid YAML (line 1:"),
        ("- just a list", "a policy pack must be a mapping"),
        ("title: T\nrules:\n  - id: a.b\n    severity: fatal\n", "rule 'a.b': "),
    ],
)
def test_a_bad_pack_file_is_one_line_naming_the_file(tmp_path: Path, text: str,
                                                     problem: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        load_pack_file(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: {problem}"), message


def test_a_bad_condition_in_a_file_names_file_rule_and_field(tmp_path: Path) -> None:
    data = yaml.safe_load(default_pack_text())
    data["rules"][3]["condition"] = "content.ai_generated +"
    path = tmp_path / "pack.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"pack\.yaml: rule 'content\.ai_disclosure': "
                                           r"condition: is not valid CEL"):
        load_pack_file(path)


def test_a_missing_or_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="policy pack file not found"):
        load_pack_file(tmp_path / "nope.yaml")
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(InvalidInput, match="cannot be read"):
        load_pack_file(binary)
