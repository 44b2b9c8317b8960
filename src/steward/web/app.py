"""Install the web dashboard on an app built by the API's ``create_app``."""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from steward.services.runtime import Runtime
from steward.web.deps import LoginRequired
from steward.web.rendering import SecurityHeaders, html_error, make_templates, security_headers
from steward.web.routes import audit_log, auth, governance, home, monitor, oversight, systems
from steward.web.routes import audits as audit_pages
from steward.web.routes import consent as consent_pages
from steward.web.routes import content as content_pages
from steward.web.routes import explain as explain_pages
from steward.web.routes import privacy as privacy_pages
from steward.web.routes import reports as report_pages
from steward.web.routes import scorecards as scorecard_pages

ROUTERS = (auth.router, home.router, systems.router, content_pages.router,
           governance.router, oversight.router,
           monitor.router, audit_log.router, audit_pages.router, scorecard_pages.router,
           report_pages.router, consent_pages.router)
ROUTERS = (*ROUTERS, privacy_pages.router)
ROUTERS = (*ROUTERS, explain_pages.router)


def install(app: FastAPI, runtime: Runtime) -> None:
    """Add the dashboard's pages, static files, error pages and security headers."""
    app.state.templates = make_templates()
    app.state.html_error_renderer = html_error
    app.mount("/static", StaticFiles(directory=str(files("steward.web") / "static")),
              name="static")
    for router in ROUTERS:
        app.include_router(router)

    @app.exception_handler(LoginRequired)
    async def _to_login(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(f"/login?next={exc.next_path}", status_code=303)

    app.add_middleware(SecurityHeaders, behind_tls=runtime.settings.behind_tls)
    app.state.response_headers = security_headers(behind_tls=runtime.settings.behind_tls)
