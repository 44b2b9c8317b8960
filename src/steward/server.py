"""The composition root: the API with the web dashboard installed, as one ASGI app.

``steward serve`` runs :func:`app_from_environment` through uvicorn's factory mode, so the CLI
never imports the API or web packages itself. With ``STEWARD_MONITOR_INTERVAL`` above zero the
app also runs the monitors that are due, in a background thread, for as long as it serves (each
check is claimed by one process, so several workers or cron beside them never run it twice).
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from steward.api.app import create_app as create_api
from steward.config import Settings, load_settings
from steward.services.monitors import MonitorScheduler
from steward.services.runtime import Runtime
from steward.web.app import install as install_web


def create_app(settings: Settings, *, runtime: Runtime | None = None) -> FastAPI:
    """API + dashboard, built from settings (tests build as many as they like)."""
    app = create_api(settings, runtime=runtime, plugins=[install_web])
    if settings.monitor_interval > 0:
        _run_monitors(app, app.state.runtime, settings.monitor_interval)
    return app


def _run_monitors(app: FastAPI, runtime: Runtime, interval: float) -> None:
    """Start a monitor scheduler with the app and stop it when the app shuts down."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        scheduler = MonitorScheduler(runtime, interval=interval).start()
        app.state.scheduler = scheduler
        try:
            yield
        finally:
            scheduler.stop()

    app.router.lifespan_context = lifespan


def app_from_environment() -> FastAPI:
    """Factory for uvicorn: settings from ``STEWARD_*`` variables.

    The objects made while starting — modules, schemas, the app — live as long as the process;
    they are moved out of the garbage collector's sight (:func:`gc.freeze`), so that its full
    collections, which would otherwise walk all of them (50–120 ms here, stalling every request
    in flight), look only at what requests create.
    """
    settings = load_settings()
    runtime = Runtime(settings)
    runtime.check_schema()
    app = create_app(settings, runtime=runtime)
    gc.collect()
    gc.freeze()
    return app
