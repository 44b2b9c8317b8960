"""Build the FastAPI application from settings: ``create_app(settings)``."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from fastapi import FastAPI

from steward import __version__
from steward.api import access_log
from steward.api.errors import add_exception_handlers
from steward.api.routes import (
    audit_log,
    audits,
    consent,
    governance,
    health,
    monitor,
    oversight,
    privacy,
    risk,
    systems,
    users,
)
from steward.api.routes import content as content_routes
from steward.api.routes import explain as explain_routes
from steward.api.routes import reports as report_routes
from steward.api.routes import scorecards as scorecard_routes
from steward.config import Settings
from steward.services.runtime import Runtime

Plugin = Callable[[FastAPI, Runtime], None]
ROUTERS = (health.router, users.router, systems.router, risk.router, consent.router,
           content_routes.router,
           governance.router, oversight.router, monitor.router, audit_log.router, audits.router,
           scorecard_routes.router, report_routes.router)
ROUTERS = (*ROUTERS, privacy.router)
ROUTERS = (*ROUTERS, explain_routes.router)


def create_app(settings: Settings, *, runtime: Runtime | None = None,
               plugins: Sequence[Plugin] = ()) -> FastAPI:
    """The API app; ``plugins`` (such as the web dashboard) add their own routes to it."""
    runtime = runtime or Runtime(settings)
    app = FastAPI(
        title="Steward API",
        version=__version__,
        description="Govern the use of AI in marketing.",
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.runtime = runtime
    app.state.settings = settings
    add_exception_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    for plugin in plugins:
        plugin(app, runtime)
    consent.install_fast_lookup(app)
    access_log.install(app)
    return app
