"""HTTP calls to the metering coordinator, on the toolkit's one HTTP client (time-outs, size
cap, no redirects, Idempotency-Key) with every failure classified there."""

from __future__ import annotations

import json
from typing import Any

from connectors.metering.settings import MeteringSettings
from connectors.metering.wire import MAX_JSON_BYTES
from hub.toolkit import GridhubError, RemoteFault, TargetServerError, failures

WORKORDERS = "/api/v1/workorders"
HEALTH = "/api/v1/health"
EVENTS = "/api/v1/events"
JSON = "application/json"


class CoordinatorClient:
    """POST/GET JSON to the coordinator's REST API; errors are gridhub errors."""

    def __init__(self, settings: MeteringSettings) -> None:
        if settings.base_url is None:
            raise ValueError("a coordinator client needs base_url")
        self.http = settings.http_client(settings.base_url, target="the metering coordinator",
                                         max_bytes=MAX_JSON_BYTES, error_detail=_error_detail)
        self.base_url = self.http.base_url

    def post(self, path: str, doc: dict[str, Any], *, idempotency_key: str) -> Any:
        body = json.dumps(doc, ensure_ascii=False).encode("utf-8")
        answer = self.http.post(path, body, content_type=JSON, headers={"Accept": JSON},
                                idempotency_key=idempotency_key)
        return _json(answer.status, answer.body, f"POST {self.base_url}{path}")

    def get(self, path: str) -> Any:
        answer = self.http.get(path, headers={"Accept": JSON})
        return _json(answer.status, answer.body, f"GET {self.base_url}{path}")

    def reachable(self) -> bool:
        try:
            self.get(HEALTH)
        except GridhubError:
            return False
        return True


def _json(status: int, raw: bytes, where: str) -> Any:
    try:
        return json.loads(raw) if raw else None
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise TargetServerError(f"HTTP {status} answer is not JSON", where=where,
                                remote=RemoteFault(kind="http", status=str(status),
                                                   body_excerpt=failures.excerpt(raw))) from exc


def _error_detail(body: bytes) -> tuple[str | None, dict[str, Any]]:
    """The coordinator's {"error": {"code", "field"}}, when the body is one."""
    try:
        error = json.loads(body).get("error", {})
        details = {k: error[k] for k in ("code", "field") if k in error}
    except (ValueError, AttributeError, TypeError, RecursionError):
        return None, {}
    return (str(details["code"]) if "code" in details else None), details
