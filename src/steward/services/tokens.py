"""API bearer tokens: created (shown once), listed, revoked; stored as SHA-256 hashes.

Tokens are 256 bits from ``secrets``, so a plain SHA-256 is enough to store them safely (a slow
password hash would only slow every API call down); the first characters are kept as a prefix so a
person can tell their tokens apart.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from steward.core.roles import ADMIN_ONLY, ANY_READER
from steward.errors import Forbidden, InvalidInput, NotFound, Unauthenticated
from steward.services.runtime import Actor, Unit
from steward.services.users import TOKEN_CACHE, _get, actor_for, usable_now
from steward.storage.orm import ApiToken

TOKEN_PREFIX = "stw_"
INVALID_TOKEN = "invalid, revoked or expired API token"


@dataclass(frozen=True)
class TokenView:
    id: int
    username: str
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None

    @property
    def status(self) -> str:
        if self.revoked_at:
            return "revoked"
        if self.expires_at and self.expires_at <= datetime.now(UTC):
            return "expired"
        return "active"

    def to_dict(self) -> dict[str, Any]:
        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "id": self.id, "username": self.username, "name": self.name, "prefix": self.prefix,
            "created_at": iso(self.created_at), "expires_at": iso(self.expires_at),
            "revoked_at": iso(self.revoked_at), "status": self.status,
        }


def _view(token: ApiToken) -> TokenView:
    return TokenView(
        id=token.id, username=token.user.username, name=token.name, prefix=token.prefix,
        created_at=token.created_at, expires_at=token.expires_at, revoked_at=token.revoked_at,
    )


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(unit: Unit, *, username: str, name: str = "", days: int | None = None
                 ) -> tuple[TokenView, str]:
    """Create a token for ``username``; returns its record and the secret (shown only now)."""
    user = _get(unit, username)
    if user.id != unit.actor.user_id:
        unit.require(ADMIN_ONLY, "create tokens for other users")
    if days is not None and days < 1:
        raise InvalidInput("token lifetime must be at least 1 day")
    lifetime = days or unit.settings.token_days
    expires = datetime.now(UTC) + timedelta(days=lifetime)
    if user.expires_at is not None:
        expires = min(expires, user.expires_at)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, prefix=secret[:12], token_hash=hash_token(secret),
                     expires_at=expires)
    unit.session.add(token)
    unit.session.flush()
    view = _view(token)
    unit.audit("token.create", "api_token", token.id, after=view.to_dict())
    return view, secret


def list_tokens(unit: Unit, *, username: str | None = None) -> list[TokenView]:
    unit.require(ANY_READER, "list tokens")
    query = select(ApiToken).order_by(ApiToken.id)
    if username is not None:
        query = query.where(ApiToken.user_id == _get(unit, username).id)
    if not ADMIN_ONLY.allows(unit.actor.roles):
        query = query.where(ApiToken.user_id == unit.actor.user_id)
    return [_view(t) for t in unit.session.scalars(query).all()]


def revoke_token(unit: Unit, token_id: int) -> TokenView:
    token = unit.session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"no API token with id {token_id}")
    if token.user_id != unit.actor.user_id and not ADMIN_ONLY.allows(unit.actor.roles):
        raise Forbidden(f"{unit.actor.name} may not revoke other users' tokens")
    before = _view(token).to_dict()
    if token.revoked_at is None:
        token.revoked_at = datetime.now(UTC)
        unit.session.flush()
    view = _view(token)
    unit.audit("token.revoke", "api_token", token.id, before=before, after=view.to_dict())
    if unit.runtime is not None:
        unit.after_commit(unit.runtime.cached(TOKEN_CACHE, dict).clear)
    return view


def actor_from_token(unit: Unit, secret: str) -> Actor:
    """The actor a bearer token stands for, or Unauthenticated."""
    if not secret.startswith(TOKEN_PREFIX):
        raise Unauthenticated(INVALID_TOKEN)
    token = unit.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    now = datetime.now(UTC)
    if (token is None or token.revoked_at is not None
            or (token.expires_at is not None and token.expires_at <= now)
            or not usable_now(token.user, now=now)):
        raise Unauthenticated(INVALID_TOKEN)
    return actor_for(token.user, via="api")
