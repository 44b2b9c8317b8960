"""Property tests: any text given as a policy pack, a rule file or a policy condition is either
accepted or refused with the one error type faces turn into one line; nothing else escapes."""

from __future__ import annotations

import contextlib
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steward.core.policy import PolicyError, parse_pack
from steward.errors import InvalidInput
from steward.rules.content_loader import read_content_file
from steward.rules.loader import read_rule_file

YAMLISH = st.one_of(
    st.text(max_size=400),
    st.lists(st.sampled_from(["title: t", "rules:", "  - id: r", "    severity: block",
                              "    applies_to: system", "    condition: 'system.tier == \"high\"'",
                              "    condition: 'system.", "gates: {pilot: {approvals: [x]}}",
                              "thresholds: {a.b: 1}", "- [", ": :", "obligations: 3"]),
             max_size=12).map("\n".join),
)
CONDITIONS = st.one_of(st.text(max_size=80), st.sampled_from([
    "system.tier == 'high'", "1 + 2", "system.", "size(system.ai_kinds) > 0",
    "settings.missing > 1", "__import__('os')", "system.tier == 'high' &&", "true"]))


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(YAMLISH)
def test_policy_packs(text: str) -> None:
    with contextlib.suppress(PolicyError):
        parse_pack(text)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(CONDITIONS)
def test_policy_conditions(condition: str) -> None:
    document = {"title": "t", "rules": [{
        "id": "r", "title": "r", "rationale": "r", "applies_to": "system", "severity": "warn",
        "condition": condition,
        "citation": {"instrument": "x", "article": "y", "url": "https://example.org"}}]}
    with contextlib.suppress(PolicyError):
        parse_pack(document)


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(YAMLISH)
def test_rule_files(tmp_path_factory, text: str) -> None:  # type: ignore[no-untyped-def]
    path = Path(tmp_path_factory.mktemp("rules")) / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    for reader in (read_rule_file, read_content_file):
        try:
            reader(path)
        except InvalidInput as exc:
            assert "\n" not in str(exc)
