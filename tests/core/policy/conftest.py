"""Shared pieces for the policy pack tests: rule and pack builders, and the default pack."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from steward.core.policy import PolicyPack, parse_pack
from steward.rules.policy_loader import default_pack_text

CITATION = {"instrument": "Test instrument", "article": "Art. 1", "url": "https://example.com/law"}


def _rule(rule_id: str, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": rule_id,
        "title": f"Rule {rule_id}",
        "rationale": "Because.",
        "citation": dict(CITATION),
        "applies_to": "system",
        "severity": "warn",
        "condition": "system.flag == true",
    }
    data.update(fields)
    return data


def _pack(*rules: dict[str, Any], **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"title": "Test pack", "rules": list(rules)}
    data.update(fields)
    return data


@pytest.fixture
def make_rule() -> Callable[..., dict[str, Any]]:
    """``make_rule(id, **fields)``: a valid rule mapping, ``fields`` replacing the defaults."""
    return _rule


@pytest.fixture
def make_pack() -> Callable[..., dict[str, Any]]:
    """``make_pack(*rules, **fields)``: a valid pack mapping holding ``rules``."""
    return _pack


@pytest.fixture(scope="session")
def default_pack() -> PolicyPack:
    return parse_pack(default_pack_text())
