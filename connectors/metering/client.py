"""HTTP calls to the metering coordinator, with every failure classified at the edge."""

from __future__ import annotations

import base64
import http.client
import json
import socket
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from tenacity import retry, retry_if_exception_type, stop_after_attempt

from connectors.metering.wire import MAX_JSON_BYTES
from hub.errors import (
    ConfigurationError,
    GridhubError,
    InvalidMessage,
    RemoteFault,
    TargetRejected,
    TargetServerError,
    TargetTimeout,
    TargetUnavailable,
)
from hub.telemetry import trace_headers

# 408 and 429 say "not now", not "never"; every other 4xx is the message's (or our) fault.
_RETRYABLE_4XX = {408, 425, 429}
WORKORDERS = "/api/v1/workorders"
HEALTH = "/api/v1/health"
EVENTS = "/api/v1/events"


class CoordinatorClient:
    """POST/GET JSON to the coordinator's REST API; errors are gridhub errors."""

    def __init__(self, settings: Mapping[str, Any]) -> None:
        base = str(settings.get("base_url", "")).rstrip("/")
        if urlsplit(base).scheme not in ("http", "https"):
            raise ConfigurationError(f"base_url must be http(s)://..., got {base!r}",
                                     where="connectors.metering.settings.base_url")
        self.base_url = base
        self.timeout = float(settings.get("timeout", 10.0))
        self._auth = _auth_header(settings)

    def post(self, path: str, doc: dict[str, Any], *, idempotency_key: str) -> Any:
        body = json.dumps(doc, ensure_ascii=False).encode("utf-8")
        return self._call("POST", path, body, {"Idempotency-Key": idempotency_key})

    def get(self, path: str) -> Any:
        return self._call("GET", path, None, {})

    def _call(self, method: str, path: str, body: bytes | None, extra: dict[str, str]) -> Any:
        url = self.base_url + path
        headers = {"Content-Type": "application/json", "Accept": "application/json",
                   **trace_headers(), **extra}
        if self._auth:
            headers["Authorization"] = self._auth
        request = urllib.request.Request(url, data=body, headers=headers, method=method)
        try:
            status, raw = self._send(request)
        except urllib.error.HTTPError as exc:
            raise _http_error(exc, f"{method} {url}") from exc
        except (TimeoutError, socket.timeout) as exc:  # noqa: UP041
            raise TargetTimeout(f"no answer within {self.timeout:g}s",
                                where=f"{method} {url}") from exc
        except (urllib.error.URLError, ConnectionError, http.client.HTTPException) as exc:
            raise TargetUnavailable(f"cannot reach the metering coordinator: {exc}",
                                    where=f"{method} {url}") from exc
        try:
            return json.loads(raw) if raw else None
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            raise TargetServerError(f"HTTP {status} answer is not JSON",
                                    where=f"{method} {url}", remote=RemoteFault(
                                        kind="http", status=str(status),
                                        body_excerpt=raw[:2048].decode("utf-8", "replace"),
                                    )) from exc

    # A kept-alive connection the server closed in between fails once; one quick retry.
    @retry(retry=retry_if_exception_type(ConnectionResetError), stop=stop_after_attempt(2),
           reraise=True)
    def _send(self, request: urllib.request.Request) -> tuple[int, bytes]:
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            raw: bytes = response.read(MAX_JSON_BYTES + 1)  # a runaway answer is not read whole
        if len(raw) > MAX_JSON_BYTES:
            raise InvalidMessage(f"answer larger than {MAX_JSON_BYTES} bytes: refused unread",
                                 where=f"{request.get_method()} {request.full_url}")
        return int(response.status), raw

    def reachable(self) -> bool:
        try:
            self.get(HEALTH)
        except GridhubError:
            return False
        return True


def _http_error(exc: urllib.error.HTTPError, where: str) -> GridhubError:
    excerpt = exc.read(2048).decode("utf-8", "replace") if exc.fp else ""
    details: dict[str, Any] = {}
    try:
        error = json.loads(excerpt).get("error", {})
        details = {k: error[k] for k in ("code", "field") if k in error}
    except (ValueError, AttributeError):
        pass
    fault = RemoteFault(kind="http", status=str(exc.code), message=exc.reason,
                        body_excerpt=excerpt, details=details)
    text = f"HTTP {exc.code} {exc.reason}" + (f" ({details['code']})" if details else "")
    if exc.code >= 500 or exc.code in _RETRYABLE_4XX:
        return TargetServerError(text, where=where, remote=fault)
    return TargetRejected(text, where=where, remote=fault)


def _auth_header(settings: Mapping[str, Any]) -> str | None:
    if settings.get("token"):
        return f"Bearer {settings['token']}"
    if settings.get("username"):
        raw = f"{settings['username']}:{settings.get('password', '')}".encode()
        return "Basic " + base64.b64encode(raw).decode()
    return None
