"""Dependencies shared by the API routes: the runtime, and who may call a route.

``allow(access)`` both authenticates the caller (``Authorization: Bearer <token>``) and checks the
route's declared roles; the declaration stays readable on the route (``route_access``) so a test can
walk the whole route table and an authorization matrix can be generated from it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Request
from fastapi.routing import APIRoute, iter_route_contexts

from steward.core.roles import ACCESS_ATTRIBUTE, Access
from steward.errors import Forbidden, Unauthenticated
from steward.services import tokens
from steward.services.runtime import Actor, Runtime


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def _bearer(authorization: str | None) -> str:
    if not authorization:
        raise Unauthenticated("missing Authorization: Bearer token")
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise Unauthenticated("the Authorization header must be 'Bearer <token>'")
    return value.strip()


TOKEN_CACHE_SECONDS = 5.0
"""A verified token is trusted this long without a database read (revoking clears the cache of
the process that revoked; other workers notice within this many seconds)."""


def _actor_for(runtime: Runtime, secret: str) -> Actor:
    cache: dict[str, tuple[Actor, float]] = runtime.cached(tokens.TOKEN_CACHE, dict)
    key = tokens.hash_token(secret)
    hit = cache.get(key)
    now = time.monotonic()
    if hit is not None and hit[1] > now:
        return hit[0]
    with runtime.unit(Actor.system("auth")) as unit:
        actor = tokens.actor_from_token(unit, secret)
    if len(cache) > 10_000:
        cache.clear()
    cache[key] = (actor, now + TOKEN_CACHE_SECONDS)
    return actor


def allow(access: Access) -> Any:
    """Declare who may call a route; the dependency returns the calling :class:`Actor`."""

    def dependency(
        request: Request,
        authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
    ) -> Actor | None:
        if access.public:
            return None
        runtime: Runtime = request.app.state.runtime
        actor = _actor_for(runtime, _bearer(authorization))
        if not access.allows(actor.roles):
            raise Forbidden(f"{actor.name} ({', '.join(sorted(actor.roles))}) may not "
                            f"{request.method} {request.url.path}")
        return actor

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
