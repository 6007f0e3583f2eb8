"""The one HTTP client every connector calls its back end with (``requests`` underneath; zeep
takes the same session).

What it holds for every connector, so no connector has to remember it:
- a time-out on every call (connect and each read);
- a size cap: the answer is streamed and refused one byte past ``max_bytes``, before a broken or
  hostile back end answering gigabytes can take the hub's memory;
- no redirects: a 3xx is a permanent failure naming the Location (see
  :mod:`hub.toolkit.failures`); following one would send the message and our credentials to
  another host;
- the ``Idempotency-Key`` header when the caller gives one (the message id), so a retried
  delivery is recognised by the back end;
- no proxy or credentials taken from the environment unless configured;
- every failure classified once (:func:`~hub.toolkit.failures.http_failure`,
  :func:`~hub.toolkit.failures.failure_of`), with one quick retry of a kept-alive
  connection the server had closed in between.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from tenacity import retry, retry_if_exception, stop_after_attempt

from hub.errors import ConfigurationError, GridhubError, InvalidMessage
from hub.telemetry import trace_headers
from hub.toolkit.failures import (
    failure_of,
    http_failure,
    is_connection_reset,
    soap_fault_of,
)
from hub.xmlsafe import MAX_XML_BYTES

CHUNK = 64 * 1024
# What an error answer says about itself: (a short reason, details for the dead letter).
ErrorDetail = Callable[[bytes], tuple[str | None, dict[str, Any]]]


class CappedSession(requests.Session):
    """A ``requests`` session that reads an answer up to ``max_bytes`` and refuses a redirect
    (a permanent failure naming the Location), for every user of it, zeep included."""

    def __init__(self, max_bytes: int = MAX_XML_BYTES) -> None:
        super().__init__()
        self.max_bytes = max_bytes
        self.trust_env = False  # no proxy or .netrc from the environment: configure them

    def request(self, method: str, url: str,  # type: ignore[override]
                *args: Any, **kwargs: Any) -> requests.Response:
        kwargs["stream"] = True
        kwargs["allow_redirects"] = False  # zeep asks for redirects; a 3xx is refused below
        # The W3C trace context of the delivery in hand, so the target's own traces join ours.
        kwargs["headers"] = {**trace_headers(), **(kwargs.get("headers") or {})}
        response = super().request(method, url, *args, **kwargs)
        if 300 <= response.status_code < 400:
            response.close()  # its body is not needed: the Location says it all
            raise http_failure(response.status_code, where=f"{method} {url}",
                               reason=response.reason,
                               location=response.headers.get("Location"))
        chunks: list[bytes] = []
        size = 0
        try:  # iter_content maps the driver's read errors to requests' own, as .content does
            for chunk in response.iter_content(CHUNK):
                chunks.append(chunk)
                size += len(chunk)
                if size > self.max_bytes:
                    break
        finally:
            response.close()
        if size > self.max_bytes:
            raise InvalidMessage(f"answer larger than {self.max_bytes} bytes: refused unread",
                                 where=f"{method} {url}")
        response._content = b"".join(chunks)  # what .content and .text return from here on
        response._content_consumed = True
        return response


@dataclass(frozen=True)
class Answer:
    """A 2xx answer, read whole (within the cap)."""

    status: int
    body: bytes = field(repr=False)
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)


class HttpClient:
    """Calls one back end at ``base_url``; thread-safe (one session per thread).

    ``target`` names the back end in error messages ("the metering coordinator").
    ``error_detail`` reads the back end's own error document out of a failed answer.
    ``soap``: a SOAP 1.1 fault in an answer (whatever its status) is classified as one.
    """

    def __init__(self, base_url: str, *, target: str, timeout: float,
                 max_bytes: int = MAX_XML_BYTES, token: str | None = None,
                 username: str | None = None, password: str | None = None,
                 ca_bundle: str | None = None, proxy: str | None = None,
                 error_detail: ErrorDetail | None = None, soap: bool = False) -> None:
        if urlsplit(base_url).scheme not in ("http", "https"):
            raise ConfigurationError(f"url must be http(s)://..., got {base_url!r}",
                                     where=f"{target} url")
        self.base_url = base_url.rstrip("/")
        self.target = target
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._auth = (username, password or "") if username and not token else None
        self._verify: str | bool = ca_bundle or True
        self._proxies = {"http": proxy, "https": proxy} if proxy else {}
        self._error_detail = error_detail
        self._soap = soap
        self._local = threading.local()

    def session(self) -> CappedSession:
        """This thread's session, configured (for zeep's ``Transport`` too)."""
        session: CappedSession | None = getattr(self._local, "session", None)
        if session is None:
            session = CappedSession(self.max_bytes)
            session.auth = self._auth
            session.headers.update(self._headers)
            session.verify = self._verify
            session.proxies.update(self._proxies)
            self._local.session = session
        return session

    def post(self, path: str, body: bytes, *, content_type: str,
             idempotency_key: str | None = None, headers: Mapping[str, str] | None = None,
             where: str | None = None) -> Answer:
        return self.request("POST", path, body=body, idempotency_key=idempotency_key,
                            headers={"Content-Type": content_type, **(headers or {})},
                            where=where)

    def get(self, path: str, *, headers: Mapping[str, str] | None = None,
            where: str | None = None) -> Answer:
        return self.request("GET", path, headers=headers, where=where)

    def request(self, method: str, path: str = "", *, body: bytes | None = None,
                headers: Mapping[str, str] | None = None, idempotency_key: str | None = None,
                where: str | None = None) -> Answer:
        """One call; a 2xx :class:`Answer` or a classified :class:`GridhubError` whose
        ``where`` is ``where`` (an operation's name, say) or "METHOD url"."""
        # a full URL (a per-service endpoint, say) is taken as it is
        url = path if path.startswith(("http://", "https://")) else self.base_url + path
        where = where or f"{method} {url}"
        sent = dict(headers or {})
        if idempotency_key:
            sent["Idempotency-Key"] = idempotency_key
        try:
            response = self._send(method, url, body, sent)
        except GridhubError:
            raise
        except Exception as exc:
            raise failure_of(exc, where=where, timeout=self.timeout,
                             target=self.target) from exc
        if not 200 <= response.status_code < 300:
            raise self.failure(response, where)
        fault = self._fault(response.content, where)  # a fault in a 200 is a fault still
        if fault is not None:
            raise fault
        return Answer(response.status_code, response.content, response.headers)

    def failure(self, response: requests.Response, where: str) -> GridhubError:
        """The classified error for a non-2xx ``response`` (the back end's words kept)."""
        fault = self._fault(response.content, where)
        if fault is not None:
            return fault
        detail, details = (self._error_detail(response.content) if self._error_detail
                           else (None, {}))
        return http_failure(response.status_code, where=where, body=response.content,
                            reason=response.reason, location=response.headers.get("Location"),
                            detail=detail, details=details)

    def _fault(self, body: bytes, where: str) -> GridhubError | None:
        if not self._soap:
            return None
        details = self._error_detail(body)[1] if self._error_detail else {}
        return soap_fault_of(body, where=where, details=details)

    @retry(retry=retry_if_exception(is_connection_reset), stop=stop_after_attempt(2),
           reraise=True)
    def _send(self, method: str, url: str, body: bytes | None, headers: dict[str, str]
              ) -> requests.Response:
        return self.session().request(method, url, data=body, headers=headers,
                                      timeout=self.timeout)

    def reachable(self) -> bool:
        """Whether the back end's host accepts a TCP connection now (for `gridhub status`)."""
        parts = urlsplit(self.base_url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            with socket.create_connection((parts.hostname or "", port), timeout=2):
                return True
        except OSError:
            return False

    def close(self) -> None:
        session: CappedSession | None = getattr(self._local, "session", None)
        if session is not None:
            session.close()
