"""Schemathesis over the whole OpenAPI, with an admin token and without one: no server error,
every error in the one problem+json shape, and the audit chain intact afterwards.

The app is built once for the module on its own SQLite file (schemathesis reads the schema when
the module is collected), and its state accumulates across the generated cases as it would in
production.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from steward.config import load_settings
from steward.server import create_app
from steward.services import audit_log, tokens, users
from steward.services.runtime import Actor, Runtime

pytestmark = pytest.mark.slow


def _build() -> tuple[Runtime, object, str]:
    folder = Path(tempfile.mkdtemp(prefix="steward-fuzz-"))
    config = load_settings(environment="test", database_url=f"sqlite:///{folder}/fuzz.db",
                           secret_key="f" * 48, data_dir=folder / "data")
    runtime = Runtime(config)
    with runtime.unit(Actor.operator("fuzz")) as unit:
        users.add_user(unit, username="fuzz-admin", roles="admin", password="fuzz-password")
        _, secret = tokens.create_token(unit, username="fuzz-admin")
    return runtime, create_app(config, runtime=runtime), secret


RUNTIME, APP, TOKEN = _build()
schema = schemathesis.openapi.from_asgi("/api/openapi.json", APP)


def _check(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code < 500, (response.status_code, response.text[:500])
    if response.status_code >= 400:
        assert response.headers["content-type"][0].startswith("application/problem+json") \
            if isinstance(response.headers["content-type"], list) \
            else response.headers["content-type"].startswith("application/problem+json")
        body = response.json()
        assert body["status"] == response.status_code and body["title"]


@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_with_an_admin_token(case) -> None:  # type: ignore[no-untyped-def]
    _check(case.call(headers={"Authorization": f"Bearer {TOKEN}"}))


@schema.parametrize()
@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
def test_without_a_token(case) -> None:  # type: ignore[no-untyped-def]
    _check(case.call())


def test_the_chain_survived_the_fuzzing() -> None:
    with RUNTIME.unit(Actor.operator("fuzz")) as unit:
        result = audit_log.verify(unit)
    assert result.ok and result.entries >= 2
