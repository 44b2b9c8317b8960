"""Reading and proving the audit log: verify the chain, export it, list recent entries."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from steward.core.audit_chain import ChainBreak, first_break
from steward.core.roles import Role, read_access
from steward.errors import InvalidInput
from steward.services.runtime import Unit
from steward.storage import audit_log

READ_AUDIT = read_access(Role.COMMITTEE, Role.LEGAL, Role.PRIVACY, Role.IT, Role.AUDITOR)


@dataclass(frozen=True)
class Verification:
    entries: int
    head: str | None
    broken: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.broken is None

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "entries": self.entries, "head": self.head,
                "first_break": None if self.broken is None else
                {"seq": self.broken.seq, "reason": self.broken.reason}}


def verify(unit: Unit) -> Verification:
    """Walk the whole chain, oldest first; report the first entry that does not verify."""
    unit.require(READ_AUDIT, "read the audit log")
    seen = 0
    head: str | None = None

    def counted() -> Iterator[dict[str, Any]]:
        nonlocal seen, head
        for record in audit_log.iter_records(unit.session):
            seen += 1
            head = record["hash"]
            yield record

    broken = first_break(counted())
    return Verification(entries=seen, head=head, broken=broken)


def parse_since(value: str | None) -> str | None:
    """An ISO date or date-time turned into the stored timestamp format (UTC)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise InvalidInput(f"--since must be an ISO date or date-time, got {value!r}") from None
        moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def export(unit: Unit, *, since: str | None = None, object_type: str | None = None,
           object_id: str | None = None) -> Iterator[dict[str, Any]]:
    """Entries oldest first, as JSON-ready records."""
    unit.require(READ_AUDIT, "read the audit log")
    return audit_log.iter_records(unit.session, since=parse_since(since),
                                  object_type=object_type, object_id=object_id)


def recent(unit: Unit, *, limit: int = 50, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """A page of entries, newest first, and the total count."""
    unit.require(READ_AUDIT, "read the audit log")
    if not 1 <= limit <= 500 or offset < 0:
        raise InvalidInput("limit must be 1-500 and offset at least 0")
    return audit_log.recent(unit.session, limit=limit, offset=offset), audit_log.count(unit.session)
