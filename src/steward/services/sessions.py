"""Web log-in: server-side sessions (only a random id travels in the cookie) with a CSRF token.

A new session id is issued at every log-in (no fixation), sessions expire after
``Settings.session_minutes`` and end at log-out; only the SHA-256 of the id is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from steward.errors import Unauthenticated
from steward.services.runtime import Actor, Unit
from steward.services.users import actor_for, check_password, usable_now
from steward.storage.orm import WebSession

SESSION_EXPIRED = "your session has expired: please log in again"


@dataclass(frozen=True)
class WebLogin:
    actor: Actor
    session_secret: str
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True)
class WebIdentity:
    actor: Actor
    csrf_token: str
    display_name: str


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def log_in(unit: Unit, *, username: str, password: str) -> WebLogin:
    """Check the password and open a fresh session."""
    user = check_password(unit, username, password)
    secret = secrets.token_urlsafe(32)
    expires = datetime.now(UTC) + timedelta(minutes=unit.settings.session_minutes)
    session = WebSession(session_hash=_hash(secret), user_id=user.id,
                         csrf_token=secrets.token_urlsafe(32), expires_at=expires)
    unit.session.add(session)
    unit.session.flush()
    actor = actor_for(user, via="web")
    unit.actor = actor
    unit.audit("session.start", "user", user.id, after={"session": session.id,
                                                         "expires_at": expires.isoformat()})
    return WebLogin(actor=actor, session_secret=secret, csrf_token=session.csrf_token,
                    expires_at=expires)


def identify(unit: Unit, secret: str) -> WebIdentity:
    """Who a session cookie belongs to, or Unauthenticated."""
    session = unit.session.scalar(
        select(WebSession).where(WebSession.session_hash == _hash(secret)))
    now = datetime.now(UTC)
    if session is None or session.ended_at is not None or session.expires_at <= now \
            or not usable_now(session.user, now=now):
        raise Unauthenticated(SESSION_EXPIRED)
    return WebIdentity(actor=actor_for(session.user, via="web"), csrf_token=session.csrf_token,
                       display_name=session.user.display_name)


def log_out(unit: Unit, secret: str) -> None:
    session = unit.session.scalar(
        select(WebSession).where(WebSession.session_hash == _hash(secret)))
    if session is None or session.ended_at is not None:
        return
    session.ended_at = datetime.now(UTC)
    unit.audit("session.end", "user", session.user_id, after={"session": session.id})
