"""People's roles and what a role may do.

Every API route and web page declares an :class:`Access`: the roles that may use it. ``admin`` may
use everything; ``auditor`` is read-only (it can never hold a write access), and is often an
external person whose access expires.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    MARKETING = "marketing"
    LEGAL = "legal"
    PRIVACY = "privacy"
    DATA_SCIENCE = "data_science"
    IT = "it"
    COMMITTEE = "committee"
    AUDITOR = "auditor"


ACCESS_ATTRIBUTE = "__steward_access__"
"""Attribute naming the :class:`Access` a face attached to a route's dependency."""

ALL_ROLES: frozenset[Role] = frozenset(Role)
STAFF_ROLES: frozenset[Role] = ALL_ROLES - {Role.AUDITOR}


def parse_roles(values: str | list[str] | tuple[str, ...]) -> list[Role]:
    """Parse role names (a list, or one comma-separated string); ValueError on unknown ones."""
    items = values.split(",") if isinstance(values, str) else list(values)
    roles: list[Role] = []
    for raw in items:
        name = raw.strip().lower()
        if not name:
            continue
        try:
            role = Role(name)
        except ValueError:
            known = ", ".join(r.value for r in Role)
            raise ValueError(f"unknown role {raw.strip()!r} (known roles: {known})") from None
        if role not in roles:
            roles.append(role)
    if not roles:
        raise ValueError("at least one role is required")
    return roles


@dataclass(frozen=True)
class Access:
    """Who may use a route or page.

    ``public`` routes need no log-in (health checks, the log-in page). Otherwise the caller must
    hold one of ``roles``; admins always may. ``write`` marks a route that changes state:
    auditors never pass it, even when listed.
    """

    roles: frozenset[Role]
    write: bool = False
    public: bool = False

    def allows(self, held: frozenset[Role] | set[Role]) -> bool:
        if self.public:
            return True
        if Role.ADMIN in held:
            return True
        granted = set(held) & self.roles
        if self.write:
            granted.discard(Role.AUDITOR)
        return bool(granted)

    def describe(self) -> str:
        if self.public:
            return "public"
        names = ",".join(sorted(r.value for r in self.roles | {Role.ADMIN}))
        return f"{'write' if self.write else 'read'}:{names}"


PUBLIC = Access(roles=frozenset(), public=True)
ANY_READER = Access(roles=ALL_ROLES)
ANY_STAFF_WRITER = Access(roles=STAFF_ROLES, write=True)
ADMIN_ONLY = Access(roles=frozenset({Role.ADMIN}), write=True)


def read_access(*roles: Role) -> Access:
    return Access(roles=frozenset(roles))


def write_access(*roles: Role) -> Access:
    return Access(roles=frozenset(roles), write=True)
