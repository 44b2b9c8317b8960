"""Fixtures shared by the service tests (a test module may define its own of the same name)."""

from __future__ import annotations

import pytest

from steward.services import systems, users
from steward.services.runtime import Actor, Runtime


@pytest.fixture
def system_id(runtime: Runtime, operator: Actor) -> int:
    with runtime.unit(operator) as unit:
        users.add_user(unit, username="dan", roles="data_science")
        return systems.create_system(unit, {"name": "Propensity", "purpose": "offers",
                                            "owner": "dan",
                                            "ai_kinds": ["predictive_model"]})["id"]
