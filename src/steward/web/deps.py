"""Who is looking at a page, what they may see, and CSRF checks for forms."""

from __future__ import annotations

import hmac
from typing import Any
from urllib.parse import quote

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from steward.core.roles import ACCESS_ATTRIBUTE, Access
from steward.errors import Forbidden, StewardError, Unauthenticated
from steward.services import sessions
from steward.services.auditors import is_restricted, log_page_view
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


UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def page(access: Access) -> Any:
    """Declare who may see a page; the dependency returns the visitor's identity.

    For a logged-in page, every unsafe request (a form post, an htmx call) must also carry the
    session's CSRF token, in the ``csrf_token`` form field or the ``X-CSRF-Token`` header.
    """

    async def dependency(request: Request) -> WebIdentity | None:
        identity = await run_in_threadpool(current_identity, request)
        if access.public:
            return identity
        if identity is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise LoginRequired(quote(target, safe="/?=&"))
        if not access.allows(identity.actor.roles):
            raise Forbidden(f"{identity.actor.name} may not see {request.url.path}")
        request.state.identity = identity
        if is_restricted(identity.actor) and request.method == "GET":
            await run_in_threadpool(_log_auditor_page, request, identity)
        if request.method in UNSAFE_METHODS:
            submitted = request.headers.get("x-csrf-token")
            if submitted is None and request.headers.get("content-type", "").startswith(
                    ("application/x-www-form-urlencoded", "multipart/form-data")):
                value = (await request.form()).get("csrf_token")
                submitted = value if isinstance(value, str) else None
            check_csrf(identity, submitted)
        return identity

    setattr(dependency, ACCESS_ATTRIBUTE, access)
    return Depends(dependency)


def _log_auditor_page(request: Request, identity: WebIdentity) -> None:
    runtime: Runtime = request.app.state.runtime
    with runtime.unit(identity.actor) as unit:
        log_page_view(unit, request.url.path)


def check_csrf(identity: WebIdentity, submitted: str | None) -> None:
    if not submitted or not hmac.compare_digest(identity.csrf_token, submitted):
        raise CsrfFailed("the form has expired or did not come from this site: reload and retry")
