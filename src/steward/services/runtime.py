"""The runtime (settings + database) and the unit of work every service call runs in."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.exc import DataError, IntegrityError, OperationalError, StatementError
from sqlalchemy.orm import Session

from steward.config import Settings
from steward.core.roles import Access, Role
from steward.errors import ConfigurationError, Conflict, Forbidden, InvalidInput, StewardError
from steward.storage import audit_log, migrate
from steward.storage.db import Database, sqlite_path

T = TypeVar("T")
log = logging.getLogger("steward.services")


@dataclass(frozen=True)
class Actor:
    """Who is acting: a person (by username and roles) or a local operator of the CLI."""

    name: str
    roles: frozenset[Role]
    user_id: int | None = None
    via: str = "api"

    @property
    def label(self) -> str:
        """How the actor is written in the audit log."""
        return self.name if self.user_id is not None else f"{self.via}:{self.name}"

    @classmethod
    def operator(cls, name: str) -> Actor:
        """A person running the ``steward`` command on the server: full rights, like admin."""
        return cls(name=name, roles=frozenset({Role.ADMIN}), via="cli")

    @classmethod
    def system(cls, name: str = "steward") -> Actor:
        """Steward itself (the demo loader, the scheduler)."""
        return cls(name=name, roles=frozenset({Role.ADMIN}), via="system")


def require(actor: Actor, access: Access, what: str) -> None:
    """Raise Forbidden unless ``actor``'s roles satisfy ``access`` (for work done without a
    unit of work; :meth:`Unit.require` inside one)."""
    if not access.allows(actor.roles):
        raise Forbidden(f"{actor.name} may not {what}")


@dataclass
class Unit:
    """One transaction, with the actor it runs for and the settings in force."""

    session: Session
    actor: Actor
    settings: Settings
    runtime: Runtime | None = None
    audited: int = field(default=0)
    _after_commit: list[Callable[[], None]] = field(default_factory=list)

    def after_commit(self, action: Callable[[], None]) -> None:
        """Run ``action`` once the unit has committed (e.g. send an e-mail); never on rollback."""
        self._after_commit.append(action)

    def audit(self, action: str, object_type: str, object_id: str | int, *,
              before: Any = None, after: Any = None) -> None:
        """Append the audit entry for a change made in this unit."""
        audit_log.append(
            self.session, actor=self.actor.label, action=action, object_type=object_type,
            object_id=object_id, before=before, after=after,
        )
        self.audited += 1

    def require(self, access: Access, what: str) -> None:
        """Raise Forbidden unless the actor's roles satisfy ``access``."""
        require(self.actor, access, what)


class Runtime:
    """Settings and database, opened once per process (or per test) and passed down."""

    def __init__(self, settings: Settings, *, auto_migrate: bool = True) -> None:
        self.settings = settings
        self.db = Database(settings.database_url)
        self._cache: dict[str, Any] = {}
        if auto_migrate:
            self._migrate_if_fresh()

    def _migrate_if_fresh(self) -> None:
        if self.db.dialect != "sqlite":
            return
        path = sqlite_path(self.db.url)
        fresh = path is None or not path.exists() or path.stat().st_size == 0
        if fresh or migrate.current_revision(self.db) is None:
            migrate.upgrade(self.db)

    def check_schema(self) -> None:
        """Raise a clear error when the database is behind the code's migrations."""
        try:
            current = migrate.current_revision(self.db)
        except OperationalError as exc:
            raise ConfigurationError(f"database unreachable: {_first_line(exc)}") from None
        if current != migrate.head_revision():
            raise ConfigurationError(
                f"database schema is at {current or 'nothing'}, this Steward needs "
                f"{migrate.head_revision()}: run `steward db upgrade`"
            )

    @contextmanager
    def unit(self, actor: Actor) -> Iterator[Unit]:
        """Run a use case in one transaction; integrity clashes become ``Conflict``."""
        try:
            with self.db.transaction() as session:
                work = Unit(session=session, actor=actor, settings=self.settings, runtime=self)
                yield work
        except StewardError:
            raise
        except IntegrityError as exc:
            raise Conflict(f"the change clashes with existing records: {_first_line(exc.orig)}") \
                from None
        except (DataError, OverflowError) as exc:  # e.g. an id beyond the database's integers
            raise InvalidInput(f"a value is out of range for the database: "
                               f"{_first_line(getattr(exc, 'orig', exc))}") from None
        except StatementError as exc:
            if isinstance(exc.orig, OverflowError):
                raise InvalidInput("a number is too large for the database") from None
            raise
        for action in work._after_commit:
            try:
                action()
            except Exception:  # noqa: BLE001 - a side effect after commit must not undo it
                log.exception("an after-commit action failed")

    def cached(self, key: str, build: Callable[[], T]) -> T:
        """Build something expensive once per runtime (compiled rules, say) and keep it."""
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    def peek(self, key: str) -> Any | None:
        """What :meth:`cached` keeps under ``key``, or None; builds nothing (for a caller on an
        event loop, which builds it in a worker thread instead)."""
        return self._cache.get(key)

    def forget(self, key: str, *, prefix: bool = False) -> None:
        """Drop what :meth:`cached` keeps under ``key`` (with ``prefix``: under every key that
        starts with it)."""
        for found in [k for k in self._cache if k.startswith(key)] if prefix else [key]:
            self._cache.pop(found, None)

    def close(self) -> None:
        self.db.dispose()


def _first_line(exc: BaseException | None) -> str:
    return str(exc).strip().splitlines()[0] if exc and str(exc).strip() else "unknown error"
