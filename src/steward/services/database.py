"""Schema upgrades and health of the database."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import OperationalError

from steward.errors import ConfigurationError
from steward.services.runtime import Actor, Runtime
from steward.storage import audit_log, migrate
from steward.storage import backup as storage_backup


@dataclass(frozen=True)
class SchemaStatus:
    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def upgrade(runtime: Runtime) -> SchemaStatus:
    """Run every pending migration; returns the status afterwards."""
    try:
        migrate.upgrade(runtime.db)
        return SchemaStatus(current=migrate.current_revision(runtime.db),
                            head=migrate.head_revision())
    except OperationalError as exc:
        raise ConfigurationError(f"cannot upgrade the database: {str(exc.orig).strip()}") from None


def status(runtime: Runtime) -> SchemaStatus:
    try:
        return SchemaStatus(current=migrate.current_revision(runtime.db),
                            head=migrate.head_revision())
    except OperationalError as exc:
        raise ConfigurationError(f"database unreachable: {str(exc.orig).strip()}") from None


def ready(runtime: Runtime) -> bool:
    """True when the database answers and its schema is current."""
    if not runtime.db.ping():
        return False
    try:
        return migrate.is_current(runtime.db)
    except OperationalError:
        return False


def backup(runtime: Runtime, out: Path) -> Path:
    """A consistent copy of the whole database (SQLite backup API or pg_dump)."""
    return storage_backup.backup(runtime.db, out)


def restore(runtime: Runtime, source: Path, *, actor: Actor) -> int:
    """Replace the database with a backup, then record the restore in the audit log.

    Returns the number of audit entries before the restore entry; the chain must verify.
    """
    storage_backup.restore(runtime.db, source)
    if not migrate.is_current(runtime.db):
        migrate.upgrade(runtime.db)
    with runtime.unit(actor) as unit:
        entries = audit_log.count(unit.session)
        unit.audit("db.restore", "database", runtime.db.dialect,
                   after={"source": source.name, "entries_restored": entries})
    return entries
