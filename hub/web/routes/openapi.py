"""The ops JSON API described as OpenAPI 3, at /api/openapi.json, for logged-in people and
tokens only (the description names every operation a caller could try).

Generated from the routes themselves (FastAPI), so a new endpoint is described as soon as it
exists; what the handlers read by hand (the filters of the query string, the CSRF header, the
answers other than 200) is added here.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response

from hub import __version__
from hub.web.auth import current
from hub.web.session import COOKIE, CSRF_HEADER

router = APIRouter()

PROBES = ("/healthz", "/readyz")
MACHINE_PATHS = ("/metrics", *PROBES)
DESCRIPTION = """The JSON API of gridhub's ops web: status, failure groups, dead letters,
a case's trace, replay and discard. Authenticate with a bearer token (`gridhub users token NAME
--role viewer|operator|admin`) or a browser session; a POST with a session also needs the
`X-CSRF-Token` header. Personal data is masked unless revealed, with a reason, by a principal
with the personal-data permission (audited). /healthz and /readyz need no authentication."""
_FILTERS = {
    "route": "only dead letters of this route",
    "connector": "only dead letters of this connector",
    "type": "only this message type, e.g. case.submitted",
    "key": "a case id, GSRN, meter number or work-order id",
    "since": "failed at or after: an ISO time (2026-11-02T08:00Z) or an age (30m, 2h, 7d)",
    "until": "failed before: an ISO time or an age",
}
_ERRORS = {
    "400": "a filter or body field that cannot be used; the message names it",
    "401": "no valid token or session",
    "403": "the roles of the token or user do not allow this",
}


@router.get("/api/openapi.json", include_in_schema=False)
def openapi(request: Request) -> Response:
    current(request)
    return JSONResponse(describe(request.app.routes))


def describe(routes: list[Any]) -> dict[str, Any]:
    """The OpenAPI document of the machine-facing ``routes`` (not the pages for people)."""
    doc = get_openapi(title="gridhub ops API", version=__version__, description=DESCRIPTION,
                      routes=routes)
    doc["paths"] = {path: operations for path, operations in doc.get("paths", {}).items()
                    if path.startswith("/api/") or path in MACHINE_PATHS}
    doc.setdefault("components", {})["securitySchemes"] = {
        "token": {"type": "http", "scheme": "bearer",
                  "description": "gridhub users token NAME --role ROLE (printed once)"},
        "session": {"type": "apiKey", "in": "cookie", "name": COOKIE,
                    "description": "a browser session after POST /login"},
    }
    doc["security"] = [{"token": []}, {"session": []}]
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            _complete(path, method, operation)
    return doc


def _complete(path: str, method: str, operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    if path in PROBES:
        operation["security"] = []
        responses["503"] = {"description": "not ready: the store or the broker does not answer"}
        return
    for code, text in _ERRORS.items():
        responses.setdefault(code, {"description": text})
    parameters = operation.setdefault("parameters", [])
    if path in ("/api/groups", "/api/dead-letters"):
        parameters += [{"name": name, "in": "query", "required": False,
                        "schema": {"type": "string"}, "description": text}
                       for name, text in _FILTERS.items()]
    if path == "/api/{operation}":
        for parameter in parameters:
            if parameter["name"] == "operation":
                parameter["schema"] = {"type": "string", "enum": ["replay", "discard"]}
        responses["202"] = {"description": "the job started: follow it at /api/jobs/ID"}
    if method == "post":
        parameters.append({"name": CSRF_HEADER, "in": "header", "required": False,
                           "schema": {"type": "string"},
                           "description": "required with a session cookie (not with a token)"})
    if "{" in path:
        responses.setdefault("404", {"description": "no such dead letter, job or operation"})
