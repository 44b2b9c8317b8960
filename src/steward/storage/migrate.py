"""Run the Alembic migrations shipped inside the package, on the database Steward is given.

Every command checks the schema before it starts, so that check reads the one row of
``alembic_version`` with plain SQL and compares it with :data:`HEAD`, without importing
Alembic or parsing the migration scripts (a quarter of a second of each command's start-up).
``tests/storage/test_migrations.py`` holds :data:`HEAD` to the scripts' real head.
"""

from __future__ import annotations

from importlib.resources import files
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, inspect, text

from steward.storage.db import Database

if TYPE_CHECKING:
    from alembic.config import Config

HEAD = "0012"
"""The newest migration's revision: update it with each new migration."""


def _config(engine: Engine | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(files("steward.storage") / "migrations"))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    """The head of the migration scripts (:data:`HEAD`)."""
    return HEAD


def script_head() -> str:
    """The head as Alembic reads it from the scripts."""
    from alembic.script import ScriptDirectory

    heads: Any = ScriptDirectory.from_config(_config()).get_heads()
    return str(heads[0])


def current_revision(db: Database) -> str | None:
    """The database's revision, or None before the first migration."""
    with db.engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
        return None if row is None else str(row[0])


def upgrade(db: Database, *, revision: str = "head") -> str | None:
    """Bring the schema to ``revision``; returns the revision before the upgrade."""
    from alembic import command

    before = current_revision(db)
    cfg = _config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    return before


def is_current(db: Database) -> bool:
    return current_revision(db) == head_revision()
