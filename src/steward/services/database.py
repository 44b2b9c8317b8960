"""Schema upgrades and health of the database."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import OperationalError

from steward.errors import ConfigurationError
from steward.services.runtime import Runtime
from steward.storage import migrate


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
