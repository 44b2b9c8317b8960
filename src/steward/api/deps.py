"""Dependencies shared by the API routes: the runtime, and who may call a route.

``allow(access)`` both authenticates the caller (``Authorization: Bearer <token>``) and checks the
route's declared roles; the declaration stays readable on the route (``route_access``) so a test can
walk the whole route table and an authorization matrix can be generated from it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Request
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.concurrency import run_in_threadpool

from steward.core.roles import ACCESS_ATTRIBUTE, Access
from steward.errors import Forbidden, Unauthenticated
from steward.services import tokens
from steward.services.runtime import Actor, Runtime, Unit


async def get_runtime(request: Request) -> Runtime:
    """The app's runtime (async: FastAPI runs it on the event loop, not in a worker thread)."""
    return request.app.state.runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def _bearer(authorization: str | None) -> str:
    if not authorization:
        raise Unauthenticated("missing Authorization: Bearer token")
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise Unauthenticated("the Authorization header must be 'Bearer <token>'")
    secret = value.strip()
    if not secret.startswith(tokens.TOKEN_PREFIX):
        raise Unauthenticated(tokens.INVALID_TOKEN)  # no need to look it up
    return secret


TOKEN_CACHE_SECONDS = 5.0
"""A verified token is trusted this long without a database read (revoking clears the cache of
the process that revoked; other workers notice within this many seconds)."""


def _cached_actor(runtime: Runtime, secret: str) -> Actor | None:
    cache: dict[str, tuple[Actor, float]] = runtime.cached(tokens.TOKEN_CACHE, dict)
    hit = cache.get(tokens.hash_token(secret))
    return hit[0] if hit is not None and hit[1] > time.monotonic() else None


def _remember(runtime: Runtime, secret: str, actor: Actor) -> None:
    cache: dict[str, tuple[Actor, float]] = runtime.cached(tokens.TOKEN_CACHE, dict)
    if len(cache) > 10_000:
        cache.clear()
    cache[tokens.hash_token(secret)] = (actor, time.monotonic() + TOKEN_CACHE_SECONDS)


def _actor_for(runtime: Runtime, secret: str) -> Actor:
    actor = _cached_actor(runtime, secret)
    if actor is not None:
        return actor
    with runtime.unit(Actor.system("auth")) as unit:
        actor = tokens.actor_from_token(unit, secret)
    _remember(runtime, secret, actor)
    return actor


PENDING_CHECKS = "api:pending-token-checks"


async def _actor_once(runtime: Runtime, secret: str) -> Actor:
    """Check a token not verified lately, once per token at a time on this event loop: requests
    that arrive while the check runs wait for its answer. (Each used to start its own check:
    every few seconds, when the cache entry lapsed, a dozen ORM transactions at once stalled
    the worker for 20-100 ms.)"""
    pending: dict[tuple[int, str], asyncio.Future[Actor]] = runtime.cached(PENDING_CHECKS, dict)
    loop = asyncio.get_running_loop()
    key = (id(loop), tokens.hash_token(secret))
    check = pending.get(key)
    if check is None:
        check = asyncio.ensure_future(run_in_threadpool(_actor_for, runtime, secret))
        pending[key] = check

        def finished(done: asyncio.Future[Actor]) -> None:
            pending.pop(key, None)
            if not done.cancelled():
                done.exception()  # retrieved here too, should every waiter have gone

        check.add_done_callback(finished)
    return await asyncio.shield(check)  # a waiter that goes away leaves the check running


async def _verified(request: Request, secret: str, access: Access) -> Actor:
    """The caller behind ``secret``, their roles checked: from the cache on the event loop, or
    (a token not verified lately) checked in a worker thread, once at a time per token."""
    runtime: Runtime = request.app.state.runtime
    actor = _cached_actor(runtime, secret)
    if actor is None:
        actor = await _actor_once(runtime, secret)
    _check(access, actor, request)
    return actor


def _check(access: Access, actor: Actor, request: Request) -> None:
    if not access.allows(actor.roles):
        raise Forbidden(f"{actor.name} ({', '.join(sorted(actor.roles))}) may not "
                        f"{request.method} {request.url.path}")


def allow(access: Access) -> Any:
    """Declare who may call a route; the dependency returns the calling :class:`Actor`.

    It runs on the event loop: a token verified in the last few seconds costs no thread hop and
    no database read; otherwise the token is read in a worker thread.
    """

    async def dependency(
        request: Request,
        authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
    ) -> Actor | None:
        if access.public:
            return None
        return await _verified(request, _bearer(authorization), access)

    setattr(dependency, ACCESS_ATTRIBUTE, access)
    return Depends(dependency)


@dataclass(frozen=True)
class Caller:
    """The caller of a route declared with :func:`allow_in_unit`.

    ``actor`` is known when the token was verified in the last few seconds; otherwise the token
    is verified inside the route's own unit of work (:meth:`unit`), so a request costs one
    database transaction, the token check included.
    """

    access: Access
    secret: str
    actor: Actor | None
    request: Request

    @property
    def runtime(self) -> Runtime:
        """The app's runtime (a hot route need not declare it as a dependency of its own)."""
        runtime: Runtime = self.request.app.state.runtime
        return runtime

    def verified(self, runtime: Runtime) -> Actor:
        """The caller, their roles checked: as the dependency found them, or (a token not
        verified lately) read in a short transaction of its own. Blocking: call it off the
        event loop. For a route whose own work needs no unit of work (a quick read)."""
        if self.actor is not None:
            return self.actor
        actor = _actor_for(runtime, self.secret)
        _check(self.access, actor, self.request)
        return actor

    @contextmanager
    def unit(self, runtime: Runtime) -> Iterator[Unit]:
        """The route's unit of work, acting as the caller (once their token checks out)."""
        if self.actor is not None:
            with runtime.unit(self.actor) as work:
                yield work
            return
        with runtime.unit(Actor.system("auth")) as work:
            actor = tokens.actor_from_token(work, self.secret)
            _remember(runtime, self.secret, actor)
            _check(self.access, actor, self.request)
            work.actor = actor
            yield work


async def caller_on_loop(request: Request, access: Access) -> Actor:
    """The caller of a route served without FastAPI's dependency solving (see
    :mod:`steward.api.fast`), as :func:`allow_in_unit` and :meth:`Caller.verified` find them:
    the same 401 and 403 answers, a token verified lately read from the cache on the event
    loop, one not verified lately read in a worker thread (its own short transaction, one at a
    time per token: :func:`_actor_once`)."""
    return await _verified(request, _bearer(request.headers.get("authorization")), access)


def allow_in_unit(access: Access) -> Any:
    """Like :func:`allow`, for a hot route: the dependency returns a :class:`Caller` and never
    touches the database; the route opens ``caller.unit(runtime)``, which checks a token not
    verified recently in the same transaction as the route's own work (or calls
    ``caller.verified(runtime)`` when its work needs no transaction)."""
    if access.public:
        raise ValueError("allow_in_unit is for routes that need a caller")

    async def dependency(
        request: Request,
        authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
    ) -> Caller:
        runtime: Runtime = request.app.state.runtime
        secret = _bearer(authorization)
        actor = _cached_actor(runtime, secret)
        if actor is not None:
            _check(access, actor, request)
        return Caller(access=access, secret=secret, actor=actor, request=request)

    setattr(dependency, ACCESS_ATTRIBUTE, access)
    return Depends(dependency)


@dataclass(frozen=True)
class DeclaredRoute:
    """One route of the whole table, with its full path and declared access."""

    path: str
    methods: frozenset[str]
    access: Access | None
    in_schema: bool


def declared_routes(app: FastAPI) -> list[DeclaredRoute]:
    """Every API route and web page of ``app`` (included routers flattened), with its access."""
    found: list[DeclaredRoute] = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute):
            continue
        found.append(DeclaredRoute(path=context.path or route.path,
                                   methods=frozenset(context.methods or route.methods),
                                   access=route_access(route),
                                   in_schema=route.include_in_schema))
    return found


def route_access(route: APIRoute) -> Access | None:
    """The access declared on a route, found among its dependencies (None if undeclared)."""
    pending = list(route.dependant.dependencies)
    while pending:
        dep = pending.pop()
        declared = getattr(dep.call, ACCESS_ATTRIBUTE, None)
        if declared is not None:
            return declared
        pending.extend(dep.dependencies)
    return None
