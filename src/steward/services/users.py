"""People: users, their roles, passwords (argon2) and whether they may act now."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from steward.core.roles import ADMIN_ONLY, ANY_READER, Role, parse_roles
from steward.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from steward.services.runtime import Actor, Unit
from steward.storage.orm import User, UserRole

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD_LENGTH = 8
BAD_CREDENTIALS = "unknown username or wrong password"
TOKEN_CACHE = "api_token_cache"  # the API's short-lived cache of verified tokens (runtime key)
_HASHER = PasswordHasher()  # stateless, thread-safe; argon2-cffi's RFC 9106 parameters


@dataclass(frozen=True)
class UserView:
    id: int
    username: str
    display_name: str
    email: str | None
    roles: list[str]
    is_active: bool
    is_external: bool
    expires_at: datetime | None
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["expires_at"] = self.expires_at.isoformat() if self.expires_at else None
        data["created_at"] = self.created_at.isoformat()
        return data


def _view(user: User) -> UserView:
    return UserView(
        id=user.id, username=user.username, display_name=user.display_name, email=user.email,
        roles=user.role_names, is_active=user.is_active, is_external=user.is_external,
        expires_at=user.expires_at, created_at=user.created_at,
    )


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
    return _HASHER.hash(password)


def add_user(
    unit: Unit,
    *,
    username: str,
    roles: list[str] | str,
    password: str | None = None,
    display_name: str = "",
    email: str | None = None,
    external: bool = False,
    expires_at: datetime | None = None,
) -> UserView:
    """Create a user. Auditors may be external and time-limited; other roles may not expire."""
    unit.require(ADMIN_ONLY, "add users")
    name = username.strip().lower()
    if not USERNAME_RE.match(name):
        raise InvalidInput(
            f"invalid username {username!r}: use 2-64 lowercase letters, digits, '.', '_' or '-'"
        )
    try:
        parsed = parse_roles(roles)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    if external and parsed != [Role.AUDITOR]:
        raise InvalidInput("an external user may only hold the auditor role")
    if expires_at is not None and expires_at.tzinfo is None:
        expires_at = expires_at.replace(tzinfo=UTC)
    if unit.session.scalar(select(User.id).where(User.username == name)) is not None:
        raise Conflict(f"user {name!r} already exists")
    user = User(
        username=name, display_name=display_name or name, email=email,
        password_hash=hash_password(password) if password else None,
        is_external=external, expires_at=expires_at,
        roles=[UserRole(role=r.value) for r in parsed],
    )
    unit.session.add(user)
    unit.session.flush()
    view = _view(user)
    unit.audit("user.create", "user", user.id, after=view.to_dict())
    return view


def list_users(unit: Unit) -> list[UserView]:
    unit.require(ANY_READER, "list users")
    users = unit.session.scalars(select(User).order_by(User.username)).all()
    return [_view(u) for u in users]


def _get(unit: Unit, username: str) -> User:
    user = unit.session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise NotFound(f"no user named {username!r}")
    return user


def get_user(unit: Unit, username: str) -> UserView:
    unit.require(ANY_READER, "read users")
    return _view(_get(unit, username))


def set_active(unit: Unit, username: str, *, active: bool) -> UserView:
    """Deactivate (or reactivate) a user: their sessions and tokens stop working."""
    unit.require(ADMIN_ONLY, "change users")
    user = _get(unit, username)
    before = _view(user).to_dict()
    user.is_active = active
    unit.session.flush()
    view = _view(user)
    unit.audit("user.activate" if active else "user.deactivate", "user", user.id,
               before=before, after=view.to_dict())
    if unit.runtime is not None:  # a deactivated person's tokens stop at once in this process
        unit.after_commit(unit.runtime.cached(TOKEN_CACHE, dict).clear)
    return view


def usable_now(user: User, *, now: datetime | None = None) -> bool:
    """Active and, for time-limited users, not yet expired."""
    moment = now or datetime.now(UTC)
    return user.is_active and (user.expires_at is None or user.expires_at > moment)


def actor_for(user: User, *, via: str) -> Actor:
    return Actor(name=user.username, roles=frozenset(Role(r) for r in user.role_names),
                 user_id=user.id, via=via)


def actor_named(unit: Unit, username: str, *, via: str = "api") -> Actor:
    """The actor a user acts as (their roles, their id), looked up by username; a deactivated
    or expired account may not act."""
    user = _get(unit, username)
    if not usable_now(user):
        raise Forbidden(f"{user.username}: this account is deactivated or its access has expired")
    return actor_for(user, via=via)


def check_password(unit: Unit, username: str, password: str) -> User:
    """The user behind a username and password, or Unauthenticated with one generic message."""
    user = unit.session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None or user.password_hash is None:
        _HASHER.hash("timing-equaliser")  # spend the same time as a real check
        raise Unauthenticated(BAD_CREDENTIALS)
    try:
        _HASHER.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        raise Unauthenticated(BAD_CREDENTIALS) from None
    if not usable_now(user):
        raise Unauthenticated("this account is deactivated or its access has expired")
    return user
