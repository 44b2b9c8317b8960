"""The composition root: the API with the web dashboard installed, as one ASGI app.

``steward serve`` runs :func:`app_from_environment` through uvicorn's factory mode, so the CLI
never imports the API or web packages itself.
"""

from __future__ import annotations

from fastapi import FastAPI

from steward.api.app import create_app as create_api
from steward.config import Settings, load_settings
from steward.services.runtime import Runtime
from steward.web.app import install as install_web


def create_app(settings: Settings, *, runtime: Runtime | None = None) -> FastAPI:
    """API + dashboard, built from settings (tests build as many as they like)."""
    return create_api(settings, runtime=runtime, plugins=[install_web])


def app_from_environment() -> FastAPI:
    """Factory for uvicorn: settings from ``STEWARD_*`` variables."""
    settings = load_settings()
    runtime = Runtime(settings)
    runtime.check_schema()
    return create_app(settings, runtime=runtime)
