"""The migrations are the schema: they build every table the ORM declares, and nothing else."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from steward.services.runtime import Runtime
from steward.storage import migrate
from steward.storage.orm import Base


def test_migrated_schema_matches_the_orm(runtime: Runtime) -> None:
    assert migrate.is_current(runtime.db)
    with runtime.db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                Base.metadata)
    assert diff == []


def test_the_head_constant_is_the_scripts_head(runtime: Runtime) -> None:
    """The schema check compares with ``migrate.HEAD``: it must name the newest script, and
    the revision it reads must be the one Alembic reads."""
    assert migrate.script_head() == migrate.HEAD
    with runtime.db.engine.connect() as conn:
        alembic_reads = MigrationContext.configure(conn).get_current_revision()
    assert alembic_reads == migrate.current_revision(runtime.db) == migrate.HEAD


def test_fresh_sqlite_file_is_migrated_automatically(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from steward.config import load_settings

    rt = Runtime(load_settings(database_url=f"sqlite:///{tmp_path}/fresh.db"))
    try:
        assert migrate.is_current(rt.db)
        rt.check_schema()
    finally:
        rt.close()


@pytest.mark.postgres
def test_postgres_trigger_refuses_update_and_delete(runtime: Runtime, operator) -> None:  # type: ignore[no-untyped-def]
    if runtime.db.dialect != "postgresql":
        pytest.skip("PostgreSQL only")
    with runtime.unit(operator) as unit:
        unit.audit("thing.create", "thing", 1, after={"a": 1})
    for statement in ("UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log",
                      "TRUNCATE audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), runtime.db.engine.begin() as conn:
            conn.execute(text(statement))
