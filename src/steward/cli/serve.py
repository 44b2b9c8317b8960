"""``steward serve`` and ``steward demo``."""

from __future__ import annotations

import os
from typing import Annotated

import typer
import uvicorn

from steward.cli.context import open_runtime
from steward.services import database
from steward.services import demo as demo_service


def _serve(host: str | None, port: int | None, workers: int) -> None:
    runtime = open_runtime()
    host = host or runtime.settings.host
    port = port or runtime.settings.port
    runtime.close()
    typer.echo(f"Steward is serving on http://{host}:{port}  (API under /api/v1, "
               f"OpenAPI at /api/openapi.json; Ctrl-C stops it)")
    uvicorn.run("steward.server:app_from_environment", factory=True, host=host, port=port,
                workers=workers, log_level=os.environ.get("STEWARD_LOG_LEVEL", "info"),
                proxy_headers=True)


def serve(
    host: Annotated[str | None, typer.Option(help="interface to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="port to listen on")] = None,
    workers: Annotated[int, typer.Option(min=1, max=64, help="uvicorn worker processes")] = 1,
) -> None:
    """Serve the web dashboard and the API."""
    _serve(host, port, workers)


def demo(
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve",
                                              help="serve the dashboard afterwards")] = True,
    host: Annotated[str | None, typer.Option()] = None,
    port: Annotated[int | None, typer.Option()] = None,
) -> None:
    """Load the demo organisation into the configured database, then serve it (running the
    monitors every minute unless STEWARD_MONITOR_INTERVAL says otherwise)."""
    runtime = open_runtime(check_schema=False)
    try:
        database.upgrade(runtime)
        report = demo_service.load_demo(runtime)
    finally:
        runtime.close()
    typer.echo("Loaded the demo organisation (Northwind Outfitters)." if report.loaded
               else "The demo organisation was already loaded.")
    for note in report.notes:
        typer.echo(f"  {note}")
    typer.echo("Demo log-in (every demo user has the same password):")
    typer.echo(f"  username: admin   password: {demo_service.DEMO_PASSWORD}")
    others = ", ".join(f"{u} ({r})" for u, r in report.people if u != "admin")
    typer.echo(f"  other users: {others}")
    if serve_after:
        os.environ.setdefault("STEWARD_MONITOR_INTERVAL", "60")
        _serve(host, port, 1)
