"""A fast path for one hot GET route: matched ahead of the route table, no dependency solving.

FastAPI spends more CPU per request on routing (the route is matched after every included
router's earlier routes) and on solving its dependencies than a small read costs. A
:class:`FastGet` sits first in the app's route table for exactly one declared route,
``<prefix>{param}`` with GET, and hands the request to a plain ASGI endpoint. It stays inside
the app, so every middleware (security headers, the 500 answer) and exception handler
(problem+json, ``WWW-Authenticate: Bearer``) applies to it as to any route.

The declared FastAPI route stays in the table: it is what the OpenAPI document, the access
declarations (``declared_routes``) and the access log read, and it answers whatever the fast
path declines. The fast path takes a request only when the table would have given it to that
route and its query parameters pass the route's length limits; anything else (a fixed name
such as ``purposes``, a second path segment, another method, a parameter over its limit,
which gets FastAPI's own 422) falls through to the table as before.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from fastapi import FastAPI
from starlette._utils import get_route_path
from starlette.datastructures import QueryParams
from starlette.routing import BaseRoute, Match, NoMatchFound, compile_path
from starlette.types import Receive, Scope, Send

from steward.api.deps import declared_routes

QUERY = "steward.fast_query"
"""Scope key: the query parameters the fast path read (name -> last value, or None)."""

Endpoint = Callable[[Scope, Receive, Send], Awaitable[None]]


class FastGet(BaseRoute):
    """``GET <prefix>{param}`` (one path segment) served by ``endpoint``, ahead of the table.

    ``fixed``: segments that name other routes (never taken); ``limits``: the query parameters
    the route reads, each with its maximum length. The endpoint finds the segment in
    ``scope["path_params"]`` and the parameters in ``scope[QUERY]``.
    """

    def __init__(self, path: str, endpoint: Endpoint, *, fixed: frozenset[str],
                 limits: Mapping[str, int]) -> None:
        prefix, _, last = path.rpartition("/")
        found = re.fullmatch(r"\{(\w+)\}", last)
        if not found or "{" in prefix:
            raise ValueError(f"a fast path is for '<fixed prefix>/{{param}}', not {path}")
        self.path = self.path_format = path  # path_format: the route as FastAPI reports it
        self.prefix = prefix + "/"
        self.param = found.group(1)
        self.endpoint = endpoint
        self.fixed = fixed
        self.limits = dict(limits)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http" or scope["method"] != "GET":
            return Match.NONE, {}
        path = get_route_path(scope)
        if not path.startswith(self.prefix):
            return Match.NONE, {}
        segment = path[len(self.prefix):]
        if not segment or "/" in segment or segment in self.fixed:
            return Match.NONE, {}
        query: dict[str, str | None] = dict.fromkeys(self.limits)
        if scope["query_string"]:
            params = QueryParams(scope["query_string"])
            for name, limit in self.limits.items():
                value = params.get(name)
                if value is not None and len(value) > limit:
                    return Match.NONE, {}  # the declared route answers FastAPI's 422
                query[name] = value
        path_params = {**scope.get("path_params", {}), self.param: segment}
        return Match.FULL, {"endpoint": self.endpoint, "path_params": path_params, QUERY: query}

    def url_path_for(self, name: str, /, **path_params: Any) -> Any:
        raise NoMatchFound(name, path_params)  # url_for names the declared route

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.endpoint(scope, receive, send)


def literal_segments(app: FastAPI, prefix: str) -> frozenset[str]:
    """The literal first segments of ``app``'s declared routes under ``prefix`` (``decode``,
    ``purposes`` … under ``/api/v1/consent/``): every other segment there is a parameter."""
    found: set[str] = set()
    for route in declared_routes(app):
        if route.path.startswith(prefix):
            segment = route.path[len(prefix):].split("/")[0]
            if segment and "{" not in segment:
                found.add(segment)
    return frozenset(found)


def install(app: FastAPI, path: str, endpoint: Endpoint, *, limits: Mapping[str, int]) -> FastGet:
    """Put a :class:`FastGet` for the declared ``GET path`` first in ``app``'s table.

    Call it once every route is added. The fixed names are the literal segments of the other
    routes under the same prefix; it refuses a table in which an earlier route would take
    ``GET <prefix><anything>`` before the declared one (the fast path would change routing)."""
    route = FastGet(path, endpoint, fixed=frozenset(), limits=limits)
    probe = route.prefix + "a-probe-segment"
    first = next((declared.path for declared in declared_routes(app)
                  if "GET" in declared.methods and compile_path(declared.path)[0].match(probe)),
                 None)
    if first != path:
        raise RuntimeError(f"GET {route.prefix}… is routed to {first}, not {path}")
    route.fixed = literal_segments(app, route.prefix)
    app.router.routes.insert(0, route)
    return route
