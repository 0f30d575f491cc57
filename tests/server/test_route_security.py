"""A route cannot forget authorisation: every /api/v1 route needs a signed-in caller unless allowlisted.

Routes public by design go in PUBLIC with the reason. Everything else must have `get_principal` somewhere
in its dependency tree (directly, through CurrentPrincipal/StaffPrincipal, or a domain dependency).
"""

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from server.app import API_PREFIX
from server.deps import get_principal, get_read_principal

# (method, path) -> why it is public. Later issues add e.g. calendar feeds that carry their own token.
PUBLIC = {
    ("GET", "/api/v1/health"): "load balancers and the client check liveness before sign-in",
    ("GET", "/api/v1/info"): "the client shows server facts (demo mode) on the sign-in screen",
    ("POST", "/api/v1/auth/login"): "sign-in itself",
    ("POST", "/api/v1/auth/refresh"): "the refresh token is the credential",
    ("GET", "/api/v1/events"): "SSE authenticates itself (Bearer or a one-minute ticket): no database "
                               "session held for the stream's life; see tests/server/sync/test_events.py",
    ("GET", "/api/v1/meetings/calendar/{token}.ics"): "phone calendars subscribe without headers: the "
                                                      "revocable feed token is the credential",
}


def _needs_principal(dependant) -> bool:
    stack = [dependant]
    while stack:
        current = stack.pop()
        if current.call in (get_principal, get_read_principal):
            return True
        stack.extend(current.dependencies)
    return False


def _api_routes(app: FastAPI):
    for ctx in iter_route_contexts(app.routes):
        if isinstance(ctx.original_route, APIRoute) and ctx.path.startswith(API_PREFIX):
            for method in sorted(ctx.methods or ()):
                yield method, ctx.path, ctx.dependant


def test_the_walk_sees_the_api(app):
    seen = {(m, p) for m, p, _ in _api_routes(app)}
    assert ("GET", "/api/v1/me") in seen and ("POST", "/api/v1/auth/login") in seen
    assert len(seen) >= 20


def test_every_route_outside_the_allowlist_requires_a_principal(app):
    unguarded = [f"{m} {p}" for m, p, dep in _api_routes(app)
                 if (m, p) not in PUBLIC and not _needs_principal(dep)]
    assert unguarded == [], "routes without get_principal: " + ", ".join(unguarded)


def test_allowlisted_routes_exist_and_are_really_public(app, client):
    present = {(m, p) for m, p, _ in _api_routes(app)}
    assert set(PUBLIC) <= present, "stale allowlist entry"
    assert client.get("/api/v1/health").status_code == 200
    assert client.get("/api/v1/info").status_code == 200


def test_the_check_catches_a_forgotten_dependency(app):
    """The walk itself can fail: a route added without a principal is reported."""
    from fastapi import APIRouter

    router = APIRouter()

    @router.get("/forgotten")
    def forgotten() -> dict[str, str]:
        return {}

    app.include_router(router, prefix=API_PREFIX)
    unguarded = [p for m, p, dep in _api_routes(app) if (m, p) not in PUBLIC and not _needs_principal(dep)]
    assert unguarded == ["/api/v1/forgotten"]


def test_guarded_routes_answer_401_without_a_token(app, client):
    """Not only declared: every guarded route refuses an anonymous call (before validating input)."""
    for method, path, _dep in _api_routes(app):
        if (method, path) in PUBLIC:
            continue
        url = path.replace("{", "").replace("}", "")  # any path parameter value: refused before use
        url = "/".join("1" if part.endswith("_id") else part for part in url.split("/"))
        resp = client.request(method, url)
        assert resp.status_code == 401, f"{method} {path}: {resp.status_code} {resp.text}"
        if method != "HEAD":  # HEAD answers carry no body
            assert resp.json()["code"] == "unauthorized"


def test_openapi_documents_401_and_the_error_shape_on_every_authed_route(client):
    schema = client.get("/openapi.json").json()
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    error_ref = {"$ref": "#/components/schemas/ErrorBody"}
    assert set(schema["components"]["schemas"]["ErrorBody"]["required"]) == {"code", "message"}
    problems = []
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            key = (method.upper(), path)
            responses = op["responses"]
            if key not in PUBLIC:
                if not op.get("security"):
                    problems.append(f"{key}: no security requirement")
                if "401" not in responses:
                    problems.append(f"{key}: 401 not documented")
            if op.get("parameters") or op.get("requestBody"):
                if "422" not in responses:
                    problems.append(f"{key}: 422 not documented")
            if op.get("requestBody") and "413" not in responses:
                problems.append(f"{key}: 413 (body over its size limit) not documented")
            for status, response in responses.items():
                if status.startswith("4"):
                    got = response.get("content", {}).get("application/json", {}).get("schema")
                    if got != error_ref:
                        problems.append(f"{key}: {status} is not ErrorBody ({got})")
    assert problems == []
    login = schema["paths"]["/api/v1/auth/login"]["post"]["responses"]
    assert {"200", "401", "422", "429"} <= set(login)


def test_every_operation_has_its_own_id(client):
    """A generated client names its functions after operation ids: two alike, and one of them is lost."""
    schema = client.get("/openapi.json").json()
    ids = [op["operationId"] for ops in schema["paths"].values() for op in ops.values()]
    assert ids and len(ids) == len(set(ids))
