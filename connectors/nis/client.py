"""XML over HTTP to the NIS, with every failure classified.

    connection refused/reset, closed unanswered   TargetUnavailable  (transient)
    no answer within the time-out                 TargetTimeout      (transient)
    HTTP 5xx, 408, 425, 429                       TargetServerError  (transient)
    other HTTP 4xx, 3xx                           TargetRejected     (permanent)
    an answer breaking nis.xsd, or too large      InvalidMessage     (permanent, by the codec)
The NIS's Error document (Code, Text) is kept in the remote fault when the body is one.
"""

from __future__ import annotations

import base64
import http.client
import socket
import urllib.error
import urllib.request
from collections.abc import Callable

from lxml import etree
from tenacity import retry, retry_if_exception_type, stop_after_attempt

from hub.errors import (
    GridhubError,
    InvalidMessage,
    RemoteFault,
    TargetRejected,
    TargetServerError,
    TargetTimeout,
    TargetUnavailable,
)
from hub.telemetry import trace_headers
from hub.xmlsafe import MAX_XML_BYTES, parse

CONTENT_TYPE = "application/xml; charset=utf-8"
_RETRYABLE_4XX = {408, 425, 429}
ErrorReader = Callable[[bytes], tuple[str | None, str | None]]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect means a wrong url in the settings: report it, never re-send elsewhere."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class NisClient:
    """POSTs one XML document per call and returns the answer's bytes. Thread-safe."""

    def __init__(self, base_url: str, *, timeout: float, username: str | None = None,
                 password: str | None = None, error_reader: ErrorReader | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._read_error = error_reader or _error_document
        self.timeout = timeout
        self._auth = None
        if username:
            raw = f"{username}:{password or ''}".encode()
            self._auth = "Basic " + base64.b64encode(raw).decode()
        self._opener = urllib.request.build_opener(_NoRedirect)

    def post(self, path: str, document: bytes) -> bytes:
        url = self.base_url + path
        headers = {"Content-Type": CONTENT_TYPE, "Accept": "application/xml", **trace_headers()}
        if self._auth:
            headers["Authorization"] = self._auth
        request = urllib.request.Request(url, data=document, headers=headers, method="POST")
        try:
            return self._send(request)
        except urllib.error.HTTPError as exc:
            raise _http_error(exc, url, self._read_error) from exc
        except (TimeoutError, socket.timeout) as exc:  # noqa: UP041
            raise TargetTimeout(f"no answer within {self.timeout:g}s", where=url) from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError | socket.timeout):
                raise TargetTimeout(f"no answer within {self.timeout:g}s", where=url) from exc
            raise TargetUnavailable(f"cannot reach NIS: {exc.reason}", where=url) from exc
        except (ConnectionError, http.client.HTTPException) as exc:
            raise TargetUnavailable(f"cannot reach NIS: {type(exc).__name__}",
                                    where=url) from exc

    # A kept-alive connection the server closed in between fails once; one quick retry.
    @retry(retry=retry_if_exception_type(ConnectionResetError), stop=stop_after_attempt(2),
           reraise=True)
    def _send(self, request: urllib.request.Request) -> bytes:
        with self._opener.open(request, timeout=self.timeout) as response:
            body: bytes = response.read(MAX_XML_BYTES + 1)
        if len(body) > MAX_XML_BYTES:
            raise InvalidMessage(f"answer larger than {MAX_XML_BYTES} bytes",
                                 where=request.full_url)
        return body


def _http_error(exc: urllib.error.HTTPError, url: str, read_error: ErrorReader
                ) -> GridhubError:
    body = exc.read(64 * 1024) if exc.fp else b""
    code, text = read_error(body)
    fault = RemoteFault(kind="http", status=str(exc.code), message=text or exc.reason,
                        body_excerpt=body[:2048].decode("utf-8", "replace"),
                        details={"nis_code": code} if code else {})
    what = f"HTTP {exc.code} {exc.reason}" + (f": {code} {text}" if code else "")
    if exc.code >= 500 or exc.code in _RETRYABLE_4XX:
        return TargetServerError(what, where=url, remote=fault)
    return TargetRejected(what, where=url, remote=fault)


def _error_document(body: bytes) -> tuple[str | None, str | None]:
    """(Code, Text) of an Error document, or (None, None) when the body is something else.
    The connector passes a mapping-driven reader; this one serves a bare client."""
    try:
        root = parse(body, where="NIS error body")
    except InvalidMessage:
        return None, None
    if etree.QName(root).localname != "Error":
        return None, None
    children = {etree.QName(c).localname: (c.text or "").strip() for c in root}
    return children.get("Code"), children.get("Text")
