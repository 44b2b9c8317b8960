"""``steward.api.fast``: one GET route served ahead of the route table, its caller checked by
``caller_on_loop`` (401 and 403 as ``allow_in_unit`` gives them), whatever it declines left to
the declared route, and a table it would reroute refused."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from fastapi import FastAPI, Query, Request
from fastapi.testclient import TestClient
from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from steward.api import fast
from steward.api.deps import Caller, allow_in_unit, caller_on_loop, declared_routes
from steward.api.errors import add_exception_handlers
from steward.core.roles import ADMIN_ONLY
from steward.services.runtime import Runtime


async def _fast(scope: Scope, receive: Receive, send: Send) -> None:
    request = Request(scope, receive)
    actor = await caller_on_loop(request, ADMIN_ONLY)
    await JSONResponse({"via": "fast", "actor": actor.name, "name": scope["path_params"]["name"],
                        **scope[fast.QUERY]})(scope, receive, send)


def _app(runtime: Runtime, *, before: bool = False) -> FastAPI:
    app = FastAPI()
    app.state.runtime = runtime
    add_exception_handlers(app)
    if before:
        @app.get("/things/{a}")
        async def thing(a: str) -> dict[str, Any]:
            return {"via": "thing"}

    @app.get("/api/things/fixed")
    async def fixed() -> dict[str, Any]:
        return {"via": "fixed"}

    @app.get("/api/things/{name}")
    async def declared(name: str, caller: Annotated[Caller, allow_in_unit(ADMIN_ONLY)],
                       q: Annotated[str | None, Query(max_length=3)] = None) -> dict[str, Any]:
        return {"via": "declared", "name": name, "q": q}

    return app


def test_a_fast_get_serves_its_route_and_leaves_the_rest(runtime: Runtime, make_person) -> None:  # type: ignore[no-untyped-def]
    root, maya = make_person("root", "admin"), make_person("maya", "marketing")
    app = _app(runtime)
    fast.install(app, "/api/things/{name}", _fast, limits={"q": 3})
    with TestClient(app, raise_server_exceptions=False) as client:
        for _ in range(2):  # token read in a worker thread, then from the cache
            got = client.get("/api/things/x", params={"q": "abc"}, headers=root.headers)
            assert got.json() == {"via": "fast", "actor": "root", "name": "x", "q": "abc"}
            refused = client.get("/api/things/x", headers=maya.headers)
            assert refused.status_code == 403
            assert refused.json()["detail"] == "maya (marketing) may not GET /api/things/x"
        for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Bearer stw_x"}):
            denied = client.get("/api/things/x", headers=headers)
            assert denied.status_code == 401 and denied.headers["www-authenticate"] == "Bearer"
            assert denied.headers["content-type"] == "application/problem+json"
        assert client.get("/api/things/fixed").json() == {"via": "fixed"}
        long = client.get("/api/things/x", params={"q": "abcd"}, headers=root.headers)
        assert long.status_code == 422 and long.json()["detail"] == (
            "q: String should have at most 3 characters")
        assert client.get("/api/things/x/", follow_redirects=False).status_code == 307  # table
    assert {r.path for r in declared_routes(app)} == {"/api/things/fixed", "/api/things/{name}"}
    with pytest.raises(Exception, match="NoMatchFound|No route"):
        app.url_path_for("nothing")


def test_a_fast_get_refuses_a_table_it_would_reroute(runtime: Runtime) -> None:
    with pytest.raises(RuntimeError, match="routed to /things/{a}"):
        fast.install(_app(runtime, before=True), "/things/{name}", _fast, limits={})
    with pytest.raises(ValueError):
        fast.install(_app(runtime), "/api/{kind}/{name}", _fast, limits={})
