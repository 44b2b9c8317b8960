"""Who is looking at a page, what they may see, and CSRF checks for forms."""

from __future__ import annotations

import hmac
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Form, Request

from steward.core.roles import ACCESS_ATTRIBUTE, Access
from steward.errors import Forbidden, StewardError, Unauthenticated
from steward.services import sessions
from steward.services.runtime import Actor, Runtime
from steward.services.sessions import WebIdentity

SESSION_COOKIE = "steward_session"
LOGIN_CSRF_COOKIE = "steward_login_csrf"


class LoginRequired(Exception):
    """Raised for an anonymous visitor; the web face answers with a redirect to the log-in form."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class CsrfFailed(StewardError):
    status = 403
    title = "Forbidden"


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def current_identity(request: Request) -> WebIdentity | None:
    secret = request.cookies.get(SESSION_COOKIE)
    if not secret:
        return None
    runtime: Runtime = request.app.state.runtime
    try:
        with runtime.unit(Actor.system("web-auth")) as unit:
            return sessions.identify(unit, secret)
    except Unauthenticated:
        return None


def page(access: Access) -> Any:
    """Declare who may see a page; the dependency returns the visitor's identity."""

    def dependency(request: Request) -> WebIdentity | None:
        identity = current_identity(request)
        if access.public:
            return identity
        if identity is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise LoginRequired(quote(target, safe="/?=&"))
        if not access.allows(identity.actor.roles):
            raise Forbidden(f"{identity.actor.name} may not see {request.url.path}")
        request.state.identity = identity
        return identity

    setattr(dependency, ACCESS_ATTRIBUTE, access)
    return Depends(dependency)


def check_csrf(identity: WebIdentity, submitted: str | None) -> None:
    if not submitted or not hmac.compare_digest(identity.csrf_token, submitted):
        raise CsrfFailed("the form has expired or did not come from this site: reload and retry")


def csrf_form(request: Request, csrf_token: Annotated[str | None, Form()] = None) -> None:
    """For POST pages: the form's CSRF token (or the X-CSRF-Token header from htmx) must match."""
    identity: WebIdentity | None = getattr(request.state, "identity", None)
    if identity is None:
        raise CsrfFailed("no session for this form")
    check_csrf(identity, csrf_token or request.headers.get("x-csrf-token"))
