"""``allow_in_unit``: a hot route checks its caller's token inside its own unit of work (or,
with ``caller.verified``, in a short transaction before work that needs none), and refuses a
role it does not admit whether the token was verified just now or a moment ago."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.concurrency import run_in_threadpool

from steward.api.deps import Caller, allow_in_unit, declared_routes
from steward.api.errors import add_exception_handlers
from steward.core.roles import ADMIN_ONLY
from steward.services.runtime import Runtime


def _app(runtime: Runtime) -> FastAPI:
    app = FastAPI()
    app.state.runtime = runtime
    add_exception_handlers(app)

    @app.get("/admins")
    async def admins(caller: Annotated[Caller, allow_in_unit(ADMIN_ONLY)]) -> dict[str, Any]:
        def work() -> dict[str, Any]:
            with caller.unit(runtime) as unit:
                return {"actor": unit.actor.name}

        return await run_in_threadpool(work)

    @app.get("/admins/quick")
    async def quick(caller: Annotated[Caller, allow_in_unit(ADMIN_ONLY)]) -> dict[str, Any]:
        actor = await run_in_threadpool(caller.verified, caller.runtime)
        return {"actor": actor.name}

    return app


def test_allow_in_unit_checks_roles_cached_or_not(runtime: Runtime, make_person) -> None:  # type: ignore[no-untyped-def]
    app = _app(runtime)
    maya, root = make_person("maya", "marketing"), make_person("root", "admin")
    with TestClient(app, raise_server_exceptions=False) as client:
        for _ in range(2):  # first checked inside the unit, then from the cache
            refused = client.get("/admins", headers=maya.headers)
            assert refused.status_code == 403 and "maya" in refused.json()["detail"]
            assert client.get("/admins", headers=root.headers).json() == {"actor": "root"}
        assert client.get("/admins").status_code == 401
        assert client.get("/admins", headers={"Authorization": "Bearer stw_x"}).status_code == 401
    runtime._cache.clear()  # nobody verified lately
    with TestClient(app, raise_server_exceptions=False) as client:
        for _ in range(2):  # ``verified``: first read in its own transaction, then cached
            refused = client.get("/admins/quick", headers=maya.headers)
            assert refused.status_code == 403 and "maya" in refused.json()["detail"]
            assert client.get("/admins/quick", headers=root.headers).json() == {"actor": "root"}
        assert client.get("/admins/quick",
                          headers={"Authorization": "Bearer stw_x"}).status_code == 401
    [route] = [r for r in declared_routes(app) if r.path == "/admins"]
    assert route.access == ADMIN_ONLY


def test_a_lapsed_token_is_checked_once_however_many_requests_wait(
        runtime: Runtime, make_person, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Every request that finds the cache lapsed used to start its own check (a dozen ORM
    transactions at once, stalling the worker); now they share one, success or failure."""
    import asyncio
    import threading

    from steward.api import deps

    root = make_person("root", "admin")
    secret = root.headers["Authorization"].removeprefix("Bearer ")
    calls: list[str] = []
    real = deps._actor_for

    def counted(rt: Runtime, given: str):  # type: ignore[no-untyped-def]
        calls.append(given)
        threading.Event().wait(0.05)  # long enough for every request to arrive
        return real(rt, given)

    monkeypatch.setattr(deps, "_actor_for", counted)

    async def many(given: str) -> list[object]:
        return await asyncio.gather(*(deps._actor_once(runtime, given) for _ in range(12)),
                                    return_exceptions=True)

    runtime._cache.clear()
    actors = asyncio.run(many(secret))
    assert len(calls) == 1 and {getattr(a, "name", None) for a in actors} == {"root"}
    assert runtime.cached(deps.PENDING_CHECKS, dict) == {}
    failures = asyncio.run(many("stw_not-a-token"))
    assert len(calls) == 2 and all(isinstance(f, deps.Unauthenticated) for f in failures)
