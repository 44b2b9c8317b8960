"""One error shape for the whole API: RFC 9457 problem details.

``{"type": "about:blank", "title": ..., "status": ..., "detail": ..., "instance": ...}`` with the
``application/problem+json`` media type, for Steward's own errors, HTTP errors (401, 403, 404, 405),
validation errors (422, with the offending fields under ``errors``) and anything unexpected (500,
never with a traceback). A web face may register an HTML renderer for its own pages.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from steward.errors import StewardError

PROBLEM_MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("steward.api")

HtmlRenderer = Callable[[Request, int, str, str], Response]


def problem(status: int, detail: str, *, title: str | None = None, instance: str | None = None,
            headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _wants_html(request: Request) -> bool:
    path = request.url.path
    if path.startswith("/api/") or path in ("/healthz", "/readyz"):
        return False
    return getattr(request.app.state, "html_error_renderer", None) is not None


def _respond(request: Request, status: int, title: str, detail: str,
             headers: dict[str, str] | None = None, **extra: Any) -> Response:
    if _wants_html(request):
        return request.app.state.html_error_renderer(request, status, title, detail)
    return problem(status, detail, title=title, instance=request.url.path, headers=headers, **extra)


def add_exception_handlers(app: FastAPI) -> None:
    @app.exception_handler(StewardError)
    async def _steward(request: Request, exc: StewardError) -> Response:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return _respond(request, exc.status, exc.title, exc.message, headers, **exc.extra)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        title = HTTPStatus(exc.status_code).phrase
        detail = exc.detail if isinstance(exc.detail, str) else title
        return _respond(request, exc.status_code, title, detail, getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"loc": [str(p) for p in err.get("loc", ())], "msg": str(err.get("msg", ""))}
            for err in exc.errors()
        ]
        first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
        where = ".".join(p for p in first["loc"] if p not in ("body", "query", "path")) or "request"
        return _respond(request, 422, "Invalid input", f"{where}: {first['msg']}", errors=errors)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        """Answered by Starlette's outermost middleware, outside any other: the headers every
        response carries (``app.state.response_headers``, set by the web) are added here."""
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        response = _respond(request, 500, "Internal Server Error",
                            "an unexpected error occurred; it has been logged")
        for name, value in getattr(request.app.state, "response_headers", ()):
            response.headers.setdefault(name, value)
        return response
