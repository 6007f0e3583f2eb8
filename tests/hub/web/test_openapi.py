"""The ops JSON API is described (OpenAPI 3) behind login: every machine route of the app is
in the description with its filters, errors and authentication, and no page for people is."""

from __future__ import annotations

import json

from hub.access import Access, Role
from tests.hub.access.conftest import cheap_hasher
from tests.hub.web.client import Client


def _token(web, role: Role = Role.viewer) -> str:
    return Access(web.store, hasher=cheap_hasher()).create_token("scripts", [role], by="test")


def test_the_description_needs_a_token_or_a_session(web):
    status, headers, _ = Client(web.url).request("/api/openapi.json")
    assert status == 401 and headers["www-authenticate"].startswith("Bearer")
    browser = Client(web.url)
    assert browser.log_in("maria") == 303
    assert browser.request("/api/openapi.json")[0] == 200


def test_every_api_route_is_described_and_no_page_is(web):
    status, _, body = Client(web.url, token=_token(web)).request("/api/openapi.json")
    assert status == 200
    doc = json.loads(body)
    assert doc["openapi"].startswith("3.")
    paths = set(doc["paths"])
    assert {"/api/status", "/api/groups", "/api/dead-letters", "/api/dead-letters/{dl_id}",
            "/api/dead-letters/{dl_id}/reveal", "/api/trace", "/api/{operation}",
            "/api/jobs/{job_id}", "/metrics", "/healthz", "/readyz"} <= paths
    assert not {"/", "/login", "/dead-letters", "/groups", "/api/openapi.json"} & paths
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            assert operation.get("description") or operation.get("summary"), (method, path)


def test_the_handwritten_parts_are_there(web):
    _, _, body = Client(web.url, token=_token(web)).request("/api/openapi.json")
    doc = json.loads(body)
    schemes = doc["components"]["securitySchemes"]
    assert schemes["token"]["scheme"] == "bearer" and schemes["session"]["in"] == "cookie"
    groups = {p["name"] for p in doc["paths"]["/api/groups"]["get"]["parameters"]}
    assert {"route", "connector", "type", "key", "since", "until"} <= groups
    operate = doc["paths"]["/api/{operation}"]["post"]
    (operation,) = [p for p in operate["parameters"] if p["name"] == "operation"]
    assert operation["schema"]["enum"] == ["replay", "discard"]
    assert {"x-csrf-token"} <= {p["name"] for p in operate["parameters"]}
    assert {"202", "400", "401", "403"} <= set(operate["responses"])
    assert "reason" in doc["components"]["schemas"]["Operation"]["properties"]
    assert doc["paths"]["/healthz"]["get"]["security"] == []
