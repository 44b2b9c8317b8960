"""Shared fixtures: settings, a fresh migrated database per test (SQLite always, PostgreSQL when the
test command started one), the app, a client, and people with tokens.

``make test`` starts a throwaway PostgreSQL and sets ``STEWARD_TEST_POSTGRES_URL`` (a server URL
whose ``postgres`` database we may use to create others). Without it, PostgreSQL variants skip,
except under CI (``CI=true``) or ``STEWARD_REQUIRE_POSTGRES=1``, where they fail.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from steward.config import Settings, load_settings
from steward.services import tokens, users
from steward.services.runtime import Actor, Runtime
from steward.storage import migrate
from steward.storage.db import Database

TEST_SECRET = "t" * 48
PG_ENV = "STEWARD_TEST_POSTGRES_URL"
TEMPLATE_DB = f"steward_template_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"


def _require_postgres() -> bool:
    return os.environ.get("CI", "").lower() == "true" or os.environ.get(
        "STEWARD_REQUIRE_POSTGRES") == "1"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once; each test gets a copy (the migrations still run for real)."""
    path = tmp_path_factory.mktemp("template") / "steward.db"
    db = Database(f"sqlite:///{path}")
    migrate.upgrade(db)
    db.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    url = os.environ.get(PG_ENV)
    if not url:
        if _require_postgres():
            pytest.fail(f"{PG_ENV} is not set: run the suite with `make test`")
        pytest.skip(f"PostgreSQL not started ({PG_ENV} unset); `make test` starts one")
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {TEMPLATE_DB} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {TEMPLATE_DB}"))
    template_url = make_url(url).set(database=TEMPLATE_DB).render_as_string(hide_password=False)
    db = Database(template_url)
    migrate.upgrade(db)
    db.dispose()
    yield url
    admin.dispose()


def _postgres_database(server_url: str) -> Iterator[str]:
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE_DB}"))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path,
                 sqlite_template: Path) -> Iterator[str]:
    """A fresh, migrated database for this test: a SQLite file, or a PostgreSQL database."""
    if request.param == "sqlite":
        path = tmp_path / "steward.db"
        shutil.copyfile(sqlite_template, path)
        yield f"sqlite:///{path}"
    else:
        server = request.getfixturevalue("postgres_server")
        yield from _postgres_database(server)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return load_settings(environment="test", database_url=database_url, secret_key=TEST_SECRET,
                         data_dir=tmp_path / "data")


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    rt = Runtime(settings)
    yield rt
    rt.close()


@pytest.fixture
def operator() -> Actor:
    return Actor.operator("tester")


@dataclass(frozen=True)
class Person:
    username: str
    roles: str
    token: str
    password: str = "correct-horse-battery"

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def make_person(runtime: Runtime, operator: Actor):
    """Factory: a user with the given roles, a password and an API token."""

    def make(username: str, roles: str, **options: object) -> Person:
        with runtime.unit(operator) as unit:
            users.add_user(unit, username=username, roles=roles,
                           password=Person.password, **options)  # type: ignore[arg-type]
            _, secret = tokens.create_token(unit, username=username)
        return Person(username=username, roles=roles, token=secret)

    return make


@pytest.fixture
def admin(make_person) -> Person:  # type: ignore[no-untyped-def]
    return make_person("root-admin", "admin")


@pytest.fixture
def app(settings: Settings, runtime: Runtime):  # type: ignore[no-untyped-def]
    from steward.server import create_app

    return create_app(settings, runtime=runtime)


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> Settings:
    """Point the CLI at this test's database."""
    monkeypatch.setenv("STEWARD_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("STEWARD_ENVIRONMENT", "test")
    monkeypatch.setenv("STEWARD_SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("STEWARD_DATA_DIR", str(settings.data_dir))
    return settings
