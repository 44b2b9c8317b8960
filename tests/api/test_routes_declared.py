"""Every route and page declares who may use it (walks the whole route table)."""

from steward.api.deps import declared_routes

SELF_SERVICE_WRITES = {"/api/v1/tokens", "/api/v1/tokens/{token_id}"}
# POST for the body, but nothing is stored:
DRY_RUNS = {"/api/v1/risk/classify", "/api/v1/consent/decode"}


def test_every_route_declares_its_access(app) -> None:  # type: ignore[no-untyped-def]
    routes = declared_routes(app)
    paths = {r.path for r in routes}
    assert {"/healthz", "/readyz", "/api/v1/users", "/", "/login", "/audit-log"} <= paths
    undeclared = [f"{sorted(r.methods)} {r.path}" for r in routes if r.access is None]
    assert undeclared == []


def test_routes_that_change_state_are_write_routes(app) -> None:  # type: ignore[no-untyped-def]
    for route in declared_routes(app):
        if not route.path.startswith("/api/") or route.path in SELF_SERVICE_WRITES | DRY_RUNS:
            continue
        if route.methods & {"POST", "PUT", "PATCH", "DELETE"}:
            assert route.access.write or route.access.public, route.path
