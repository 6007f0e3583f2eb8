"""The one failure classifier for every connector: what went wrong -> transient or permanent.

    no answer within the time-out                  TargetTimeout       (transient)
    refused / reset / DNS / TLS / closed unanswered TargetUnavailable   (transient)
    HTTP 5xx, 408, 425, 429, a fault-less 0        TargetServerError   (transient)
    HTTP 3xx                                       TargetRejected      (permanent, names Location)
    other HTTP 4xx                                 TargetRejected      (permanent)
    SOAP Server fault (or an unknown code)         TargetServerError   (transient)
    SOAP Client / VersionMismatch / MustUnderstand TargetRejected      (permanent)
    an answer that is not SOAP (zeep cannot read)  TargetServerError   (transient)

A redirect is an answer, not an instruction: following it would replay the message (a POST
turned GET, body lost) and our credentials to whatever host it names. The grid owner fixes
the url in the settings instead. Every error keeps the remote side's words (``RemoteFault``)
for the dead letter.
"""

from __future__ import annotations

import http.client
import urllib.error
from collections.abc import Mapping
from typing import Any

import requests
import zeep.exceptions
from lxml import etree

from hub.errors import (
    GridhubError,
    InvalidMessage,
    RemoteFault,
    TargetRejected,
    TargetServerError,
    TargetTimeout,
    TargetUnavailable,
)
from hub.xmlsafe import parse

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"

# "not now", not "never": the same request may be taken later.
RETRYABLE_4XX = frozenset({408, 425, 429})
PERMANENT_SOAP_FAULTS = frozenset({"Client", "VersionMismatch", "MustUnderstand"})
EXCERPT = 2048


def excerpt(body: bytes | str | None) -> str:
    """The first 2 KB of a body, as text, for the dead letter."""
    if body is None:
        return ""
    data = body if isinstance(body, bytes) else body.encode("utf-8", "replace")
    return data[:EXCERPT].decode("utf-8", "replace")


def http_failure(status: int, *, where: str, body: bytes = b"", reason: str | None = None,
                 location: str | None = None, detail: str | None = None,
                 details: Mapping[str, Any] | None = None) -> GridhubError:
    """The hub error for an HTTP answer with a status outside 2xx. ``detail`` is a short
    reason the body gave (an error code), put after the status in the message."""
    remote = RemoteFault(kind="http", status=str(status), message=reason,
                         body_excerpt=excerpt(body), details=dict(details or {}))
    text = f"HTTP {status}" + (f" {reason}" if reason else "") + (f": {detail}" if detail else "")
    if 300 <= status < 400:
        return TargetRejected(f"{text}: redirects are not followed (Location: "
                              f"{location or 'none given'}); configure the final url",
                              where=where, remote=remote)
    if 400 <= status < 500 and status not in RETRYABLE_4XX:
        return TargetRejected(text, where=where, remote=remote)
    return TargetServerError(text if status else f"transport error: {reason}", where=where,
                             remote=remote)


def soap_failure(code: str | None, message: str, *, where: str, body: bytes | str = b"",
                 details: Mapping[str, Any] | None = None) -> GridhubError:
    """The hub error for a SOAP fault; ``code`` may be qualified ("soap:Client.Auth")."""
    short = (code or "").rpartition(":")[2].split(".")[0]
    remote = RemoteFault(kind="soap", status=short or None, message=message,
                         body_excerpt=excerpt(body) or None, details=dict(details or {}))
    if short in PERMANENT_SOAP_FAULTS:
        return TargetRejected(f"SOAP {short} fault: {message}", where=where, remote=remote)
    return TargetServerError(f"SOAP {short or 'unknown'} fault: {message}", where=where,
                             remote=remote)


def soap_fault_of(body: bytes, *, where: str, details: Mapping[str, Any] | None = None
                  ) -> GridhubError | None:
    """The hub error for a SOAP 1.1 fault in ``body``; None when the body is not one."""
    if b"Fault" not in body:
        return None
    try:
        root = parse(body, where=where)
    except InvalidMessage:
        return None
    fault = root.find(f"{{{SOAP_NS}}}Body/{{{SOAP_NS}}}Fault")
    if root.tag != f"{{{SOAP_NS}}}Envelope" or fault is None:
        return None
    return soap_failure(fault.findtext("faultcode") or "Client",
                        fault.findtext("faultstring") or "", where=where, body=body,
                        details=details)


def failure_of(exc: BaseException, *, where: str, timeout: float,
               target: str = "the target") -> GridhubError:
    """The hub error for an exception raised by a call: the driver's (requests, urllib,
    socket) before any answer, or zeep's for the answer (a fault, an HTTP error, an answer
    that is not SOAP)."""
    if isinstance(exc, GridhubError):
        return exc
    if isinstance(exc, zeep.exceptions.Fault):
        detail = etree.tostring(exc.detail) if exc.detail is not None else b""
        return soap_failure(exc.code, exc.message or "", where=where, body=detail)
    if isinstance(exc, zeep.exceptions.TransportError):
        content = exc.content if isinstance(exc.content, bytes) else \
            str(exc.content or "").encode()
        return http_failure(int(exc.status_code or 0), where=where, body=content,
                            reason=exc.message)
    if isinstance(exc, zeep.exceptions.Error | etree.LxmlError):
        return TargetServerError(f"unusable answer: {_short(exc)}", where=where,
                                 remote=RemoteFault(kind="soap", message=str(exc)[:500]))
    if _timed_out(exc):
        return TargetTimeout(f"no answer within {timeout:g}s", where=where)
    if isinstance(exc, requests.RequestException | urllib.error.URLError | OSError
                  | http.client.HTTPException):
        return TargetUnavailable(f"cannot reach {target}: {_short(exc)}", where=where)
    return TargetServerError(f"unexpected failure: {type(exc).__name__}: {_short(exc)}",
                             where=where)


def is_connection_reset(exc: BaseException) -> bool:
    """A kept-alive connection the server closed in between: worth one quick retry."""
    if isinstance(exc, ConnectionResetError):
        return True
    return (isinstance(exc, requests.ConnectionError) and not isinstance(exc, requests.Timeout)
            and "reset" in str(exc).lower())


def _timed_out(exc: BaseException) -> bool:
    if isinstance(exc, requests.Timeout | TimeoutError):  # socket.timeout is TimeoutError
        return True
    return isinstance(exc, urllib.error.URLError) and isinstance(exc.reason, TimeoutError)


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 300 else text[:300] + "..."
