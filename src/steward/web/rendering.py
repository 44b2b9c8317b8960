"""Templates, shared page context, error pages and security headers."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from steward import __version__
from steward.services.sessions import WebIdentity

PLOTLY_STYLES = ("'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=' "
                 "'sha256-2GF9hCGTDj/GGFNlQA54jDdMGl2fvoeZmZjAvBSiAtM='")
"""CSP hashes of the two ``<style>`` elements the vendored plotly.js 4.1.2 adds: an empty one it
fills through the CSSOM (which CSP allows), and its map library's fixed stylesheet. Admitting
exactly those keeps every other inline style forbidden; update them with plotly.min.js."""

CSP = ("default-src 'self'; script-src 'self'; "
       f"style-src 'self' {PLOTLY_STYLES}; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
       "form-action 'self'; frame-ancestors 'none'")


def csp_with_styles(sources: str) -> str:
    """The site's CSP also admitting the given style sources (a report's own stylesheet hash)."""
    return CSP.replace("style-src 'self'", f"style-src 'self' {sources}")


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(files("steward.web") / "templates"))
    templates.env.globals["version"] = __version__
    return templates


def render(request: Request, template: str, *, identity: WebIdentity | None,
           status_code: int = 200, **context: Any) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(
        request, template, {"identity": identity, "active": request.url.path, **context},
        status_code=status_code,
    )


def html_error(request: Request, status: int, title: str, detail: str) -> Response:
    identity = getattr(request.state, "identity", None)
    return render(request, "error.html", identity=identity, status_code=status,
                  status=status, title=title, detail=detail)


def security_headers(*, behind_tls: bool) -> list[tuple[str, str]]:
    """The headers every response carries (HSTS only behind TLS)."""
    headers = [("Content-Security-Policy", CSP), ("X-Content-Type-Options", "nosniff"),
               ("Referrer-Policy", "same-origin"), ("X-Frame-Options", "DENY")]
    if behind_tls:
        headers.append(("Strict-Transport-Security", "max-age=31536000"))
    return headers


class SecurityHeaders:
    """ASGI middleware adding the security headers to every HTTP response that lacks them.

    A plain ASGI wrapper around ``send``: unlike ``@app.middleware("http")`` it starts no task and
    no stream per request (it was a fifth of an API lookup's cost).
    """

    def __init__(self, app: ASGIApp, *, behind_tls: bool) -> None:
        self.app = app
        self.headers = security_headers(behind_tls=behind_tls)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers:
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
