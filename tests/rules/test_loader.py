"""The risk rule loader: built-in YAML, an organisation's own files, plugins, one-line errors."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from steward.core.risk import RiskAnswers, RuleSet, Tier, classify
from steward.errors import InvalidInput
from steward.rules import _files as rule_files
from steward.rules.loader import builtin_rule_files, load_risk_rules, read_rule_file

OFFICIAL_HOSTS = (
    "https://eur-lex.europa.eu/",
    "https://www.legislation.gov.uk/",
    "https://leginfo.legislature.ca.gov/",
    "https://cppa.ca.gov/",
    "https://leg.colorado.gov/",
    "https://www.ecfr.gov/",
)

ORG_RULE = """
obligations:
  - id: acme.brand_review
    title: Brand team reviews every generated asset
    description: A named brand reviewer signs off generated assets before release.
    party: deployer
    stage: pilot
    applies_from: 2024-01-01
    citation:
      instrument: ACME AI policy
      article: Section 4.2
      url: https://intranet.example.com/ai-policy
rules:
  - id: acme.generative_brand_review
    title: Generated content needs brand review
    condition: generative && "content_generation" in uses
    result:
      impact: 2
      reason: Generated content needs brand review under ACME AI policy Section 4.2.
      obligations: [acme.brand_review]
    citation:
      instrument: ACME AI policy
      article: Section 4.2
      url: https://intranet.example.com/ai-policy
    applies_from: 2024-01-01
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def error_for(*paths: Path) -> str:
    with pytest.raises(InvalidInput) as caught:
        load_risk_rules(extra_paths=paths, plugins=False)
    message = str(caught.value)
    assert "\n" not in message
    return message


@pytest.fixture(scope="module")
def builtin() -> RuleSet:
    return load_risk_rules(plugins=False)


# --- the built-in rules -------------------------------------------------------------------------


def test_builtin_files_ship_inside_the_package() -> None:
    names = [f.name for f in builtin_rule_files()]
    assert names == sorted(names)
    assert {
        "eu_ai_act.yaml",
        "gdpr.yaml",
        "uk_gdpr.yaml",
        "us_california.yaml",
        "us_colorado.yaml",
        "us_ftc.yaml",
    } <= set(names)


def test_builtin_rules_cite_official_sources(builtin: RuleSet) -> None:
    citations = [r.citation for r in builtin.rules] + [
        o.citation for o in builtin.obligations.values()
    ]
    for citation in citations:
        assert citation.url.startswith(OFFICIAL_HOSTS), citation
        assert citation.article and citation.instrument


def test_ai_act_rules_use_the_right_dates(builtin: RuleSet) -> None:
    for rule in builtin.rules:
        if ".art5_" in rule.id or rule.id == "eu_ai_act.art4.ai_literacy":
            assert rule.applies_from == date(2025, 2, 2), rule.id
        elif ".art50_" in rule.id:
            assert rule.applies_from == date(2026, 8, 2), rule.id
        elif ".annex_iii_" in rule.id or ".art6_3." in rule.id:
            assert rule.applies_from == "annex_iii", rule.id
        elif rule.id.startswith("gdpr."):
            assert rule.applies_from == date(2018, 5, 25), rule.id
    for ob_id, ob in builtin.obligations.items():
        if ob_id.startswith("eu_ai_act.high_risk."):
            assert ob.applies_from == "annex_iii", ob_id


def test_every_builtin_obligation_is_used(builtin: RuleSet) -> None:
    used = {ref for rule in builtin.rules for ref in rule.result.obligations}
    assert used == set(builtin.obligations)


def test_high_risk_obligations_name_the_party_that_bears_them(builtin: RuleSet) -> None:
    party = {ob_id: ob.party.value for ob_id, ob in builtin.obligations.items()}
    assert party["eu_ai_act.high_risk.deployer_duties"] == "deployer"
    assert party["eu_ai_act.high_risk.fria"] == "deployer"
    assert party["eu_ai_act.high_risk.right_to_explanation"] == "deployer"
    assert party["eu_ai_act.high_risk.conformity_assessment"] == "provider"
    assert party["eu_ai_act.art50_2.machine_readable_marking"] == "provider"
    assert party["eu_ai_act.art50_4.disclose_deepfake"] == "deployer"


# --- an organisation's own rules ----------------------------------------------------------------


def test_an_organisation_adds_rules_and_obligations(tmp_path: Path) -> None:
    rules = load_risk_rules(extra_paths=[write(tmp_path, "acme.yaml", ORG_RULE)], plugins=False)
    assert rules.rules[-1].id == "acme.generative_brand_review"
    answers = RiskAnswers(name="copy", ai_kind=("generative_text",), uses=("content_generation",))
    result = classify(answers, rules, today=date(2026, 1, 1))
    assert "acme.brand_review" in {o.obligation.id for o in result.obligations}


def test_an_organisation_overrides_a_builtin_rule_by_id(tmp_path: Path, builtin: RuleSet) -> None:
    stricter = write(
        tmp_path,
        "stricter.yaml",
        """
        rules:
          - id: eu_ai_act.annex_iii_4a.targeted_job_ads
            title: Any job advertising is high-risk for us
            condition: in_eu && "targeted_job_ads" in uses
            result:
              tier: high
              impact: 5
              reason: ACME treats all job advertising as high-risk (Annex III point 4(a)).
              obligations: [eu_ai_act.high_risk.deployer_duties]
            citation:
              instrument: EU AI Act (Regulation (EU) 2024/1689)
              article: Annex III point 4(a)
              url: https://eur-lex.europa.eu/eli/reg/2024/1689/oj
            applies_from: annex_iii
    """,
    )
    rules = load_risk_rules(extra_paths=[stricter], plugins=False)
    assert [r.id for r in rules.rules] == [r.id for r in builtin.rules]  # same place, same order
    answers = RiskAnswers(name="jobs", uses=("targeted_job_ads",), narrow_procedural_task=True)
    assert classify(answers, builtin, today=date(2026, 1, 1)).tier is Tier.MINIMAL
    assert classify(answers, rules, today=date(2026, 1, 1)).tier is Tier.HIGH


def test_an_organisation_switches_a_builtin_rule_off(tmp_path: Path, builtin: RuleSet) -> None:
    rule = builtin.rule("eu_ai_act.art4.ai_literacy").model_dump(mode="json")
    rule["enabled"] = False
    path = tmp_path / "off.yaml"
    path.write_text(yaml.safe_dump({"rules": [rule]}), encoding="utf-8")
    rules = load_risk_rules(extra_paths=[path], plugins=False)
    result = classify(RiskAnswers(name="x"), rules, today=date(2026, 1, 1))
    assert "eu_ai_act.art4.ai_literacy" not in result.rules_fired


def test_a_folder_contributes_its_yaml_files_in_name_order(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", ORG_RULE)
    write(
        tmp_path,
        "b.yml",
        """
        rules:
          - id: acme.generative_brand_review
            title: Overridden by the later file
            condition: "false"
            result: {reason: never}
            citation: {instrument: ACME, article: "1", url: "https://example.com/p"}
            applies_from: 2024-01-01
    """,
    )
    write(tmp_path, "notes.txt", "not a rule file")
    rules = load_risk_rules(extra_paths=[tmp_path], plugins=False)
    assert rules.rule("acme.generative_brand_review").title == "Overridden by the later file"


def test_an_empty_file_adds_nothing(tmp_path: Path, builtin: RuleSet) -> None:
    rules = load_risk_rules(extra_paths=[write(tmp_path, "empty.yaml", "")], plugins=False)
    assert len(rules.rules) == len(builtin.rules)


# --- one-line errors naming the file ------------------------------------------------------------


def test_missing_path(tmp_path: Path) -> None:
    message = error_for(tmp_path / "nope.yaml")
    assert "nope.yaml" in message and "not found" in message


def test_invalid_yaml_names_file_and_line(tmp_path: Path) -> None:
    message = error_for(write(tmp_path, "bad.yaml", "rules:\n  - id: x\n   title: y\n"))
    assert "bad.yaml" in message and "not valid YAML" in message and "line 3" in message


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    message = error_for(write(tmp_path, "list.yaml", "- a\n- b\n"))
    assert "list.yaml: expected a mapping" in message


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"condition": "in_eu && colour"}, "rules[0] 'acme.generative_brand_review'.condition"),
        ({"condition": "in_eu &&"}, "not valid CEL"),
        ({"colour": "red"}, "colour: Extra inputs are not permitted"),
        ({"id": "Not An Id"}, "rules[0] 'Not An Id'.id"),
        ({"applies_from": "someday"}, "applies_from"),
        ({"result": {"tier": "severe", "reason": "x"}}, "result.tier"),
    ],
)
def test_invalid_rule_names_file_rule_and_field(
    tmp_path: Path, change: dict[str, Any], expected: str
) -> None:
    document = yaml.safe_load(ORG_RULE)
    document["rules"][0].update(change)
    path = tmp_path / "org.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    message = error_for(path)
    assert message.startswith(f"{path}: ")
    assert expected in message


def test_unknown_obligation_reference_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "refs.yaml", ORG_RULE.replace("[acme.brand_review]", "[acme.nope]"))
    path.write_text(path.read_text().replace("  - id: acme.brand_review\n", "  - id: acme.other\n"))
    message = error_for(path)
    assert message.startswith(f"{path}: ")
    assert "unknown obligation 'acme.nope'" in message


def test_duplicate_ids_in_one_file(tmp_path: Path) -> None:
    document = yaml.safe_load(ORG_RULE)
    document["rules"].append(document["rules"][0])
    path = tmp_path / "dup.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    assert "duplicate id(s): acme.generative_brand_review" in error_for(path)


def test_read_rule_file_labels_errors(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="^my label: "):
        read_rule_file(write(tmp_path, "x.yaml", "rules: 3\n"), label="my label")


# --- plugins ------------------------------------------------------------------------------------


class _EntryPoint:
    def __init__(self, name: str, hook: Any) -> None:
        self.name = name
        self.value = f"plugin_module:{name}"
        self._hook = hook

    def load(self) -> Any:
        return self._hook


def test_plugins_contribute_rule_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "plugin.yaml", ORG_RULE)
    points = [_EntryPoint("acme", lambda: [path])]
    monkeypatch.setattr(rule_files, "entry_points", lambda group: points)
    assert load_risk_rules().rules[-1].id == "acme.generative_brand_review"
    assert "acme.generative_brand_review" not in {
        r.id for r in load_risk_rules(plugins=False).rules
    }


def test_a_broken_plugin_is_one_line_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> list[Path]:
        raise RuntimeError("boom")

    monkeypatch.setattr(rule_files, "entry_points", lambda group: [_EntryPoint("bad", broken)])
    with pytest.raises(InvalidInput, match="risk rule plugin 'bad' .* failed: boom"):
        load_risk_rules()
