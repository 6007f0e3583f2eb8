"""The webhook connector class."""

from __future__ import annotations

import base64
import http.client
import socket
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from tenacity import retry, retry_if_exception_type, stop_after_attempt

from hub.connector import Connector, Inbound
from hub.errors import (
    ConfigurationError,
    RemoteFault,
    TargetRejected,
    TargetServerError,
    TargetTimeout,
    TargetUnavailable,
)
from hub.telemetry import trace_headers
from schemas.envelope import Envelope

# 408 and 429 say "not now", not "never"; every other 4xx is the message's fault.
_RETRYABLE_4XX = {408, 425, 429}


class WebhookConnector(Connector):
    name = "webhook"

    def __init__(self, settings: Mapping[str, Any], inbound: Inbound) -> None:
        super().__init__(settings, inbound)
        url = str(self.settings.get("url", ""))
        if urlsplit(url).scheme not in ("http", "https"):
            raise ConfigurationError(f"url must be http(s)://..., got {url!r}",
                                     where="connectors.<name>.settings.url")
        self.url = url
        self.timeout = float(self.settings.get("timeout", 10.0))
        self._auth = _auth_header(self.settings)

    def deliver(self, message: Envelope) -> Sequence[Envelope]:
        body = message.model_dump_json().encode()
        headers = {"Content-Type": "application/json", "Idempotency-Key": message.message_id,
                   "X-Gridhub-Case-Id": message.case_id, "X-Gridhub-Type": message.type,
                   **trace_headers()}
        if self._auth:
            headers["Authorization"] = self._auth
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            self._send(request)
        except urllib.error.HTTPError as exc:
            raise _http_error(exc) from exc
        except (TimeoutError, socket.timeout) as exc:  # noqa: UP041
            raise TargetTimeout(f"no answer within {self.timeout:g}s", where=self.url) from exc
        except (urllib.error.URLError, ConnectionError, http.client.HTTPException) as exc:
            raise TargetUnavailable(f"cannot reach target: {exc}", where=self.url) from exc
        return []

    # A kept-alive connection the server closed in between fails once; one quick retry.
    @retry(retry=retry_if_exception_type(ConnectionResetError), stop=stop_after_attempt(2),
           reraise=True)
    def _send(self, request: urllib.request.Request) -> None:
        with _OPENER.open(request, timeout=self.timeout) as response:
            response.read(64 * 1024)  # the answer is not used: drain a little, never all of it

    def reachable(self) -> bool:
        parts = urlsplit(self.url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            with socket.create_connection((parts.hostname or "", port), timeout=2):
                return True
        except OSError:
            return False


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not an instruction: following it would replay the message
    (as a GET, body lost) and our Authorization header to whatever host it names."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _http_error(exc: urllib.error.HTTPError) -> Exception:
    excerpt = exc.read(2048).decode("utf-8", "replace") if exc.fp else ""
    fault = RemoteFault(kind="http", status=str(exc.code), message=exc.reason,
                        body_excerpt=excerpt)
    where = exc.url
    if 300 <= exc.code < 400:
        location = exc.headers.get("Location") if exc.headers else None
        return TargetRejected(f"HTTP {exc.code} {exc.reason}: redirects are not followed "
                              f"(Location: {location}); configure the final URL",
                              where=where, remote=fault)
    if exc.code >= 500 or exc.code in _RETRYABLE_4XX:
        return TargetServerError(f"HTTP {exc.code} {exc.reason}", where=where, remote=fault)
    return TargetRejected(f"HTTP {exc.code} {exc.reason}", where=where, remote=fault)


def _auth_header(settings: Mapping[str, Any]) -> str | None:
    if settings.get("token"):
        return f"Bearer {settings['token']}"
    if settings.get("username"):
        raw = f"{settings['username']}:{settings.get('password', '')}".encode()
        return "Basic " + base64.b64encode(raw).decode()
    return None
