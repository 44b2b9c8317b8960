"""Log-in and log-out pages.

The log-in form is protected by a double-submit token (a random value in a cookie and in the form)
because no session exists yet; every other form uses the session's CSRF token.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from steward.core.roles import ANY_READER, PUBLIC
from steward.errors import Unauthenticated
from steward.services import sessions
from steward.services.runtime import Actor
from steward.services.sessions import WebIdentity
from steward.services.throttle import LoginThrottle, TooManyAttempts
from steward.web.deps import LOGIN_CSRF_COOKIE, SESSION_COOKIE, get_runtime, page
from steward.web.rendering import render

router = APIRouter(include_in_schema=False)


def _safe_next(value: str | None) -> str:
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


def _login_form(request: Request, *, next_path: str, error: str | None = None,
                status_code: int = 200, username: str = "") -> Response:
    token = secrets.token_urlsafe(32)
    response = render(request, "login.html", identity=None, status_code=status_code,
                      login_csrf=token, next_path=next_path, error=error, username=username)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=request.app.state.settings.behind_tls, max_age=3600)
    return response


@router.get("/login")
def login_page(request: Request, identity: Annotated[WebIdentity | None, page(PUBLIC)],
               next: str | None = None) -> Response:
    if identity is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _login_form(request, next_path=_safe_next(next))


@router.post("/login")
def login(
    request: Request,
    _: Annotated[WebIdentity | None, page(PUBLIC)],
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    login_csrf: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie, login_csrf):
        return _login_form(request, next_path=_safe_next(next), status_code=403,
                           error="The form expired. Please try again.", username=username)
    runtime = get_runtime(request)
    throttle = runtime.cached("login_throttle", LoginThrottle)
    address = request.client.host if request.client else "unknown"
    try:
        throttle.check(username=username, address=address)
        with runtime.unit(Actor(name="anonymous", roles=frozenset(), via="web")) as unit:
            login_result = sessions.log_in(unit, username=username, password=password)
    except TooManyAttempts as exc:
        return _login_form(request, next_path=_safe_next(next), status_code=429,
                           error=str(exc).capitalize() + ".", username=username)
    except Unauthenticated as exc:
        throttle.failed(username=username, address=address)
        return _login_form(request, next_path=_safe_next(next), status_code=401,
                           error=str(exc).capitalize() + ".", username=username)
    throttle.succeeded(username=username)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, login_result.session_secret, httponly=True,
                        samesite="lax", secure=request.app.state.settings.behind_tls,
                        max_age=runtime.settings.session_minutes * 60)
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, identity: Annotated[WebIdentity, page(ANY_READER)]) -> Response:
    runtime = get_runtime(request)
    with runtime.unit(identity.actor) as unit:
        sessions.log_out(unit, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
