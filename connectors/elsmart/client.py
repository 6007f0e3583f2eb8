"""The SOAP client side: zeep on the shipped WSDL, and the classification of every failure.

The mapping produces an lxml body element; zeep parses it into its own objects against the
WSDL (a second, independent check of the contract) and sends it. Failures become hub errors:

    requests Timeout                     -> TargetTimeout       (transient)
    refused / reset / DNS                -> TargetUnavailable   (transient)
    SOAP Server fault, fault-less 5xx    -> TargetServerError   (transient)
    HTTP 408/425/429, unparseable answer -> TargetServerError   (transient)
    SOAP Client fault, other HTTP 4xx    -> TargetRejected      (permanent)
    request not fitting the WSDL         -> InvalidMessage      (permanent)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests
import zeep
import zeep.exceptions
from lxml import etree
from tenacity import retry, retry_if_exception, stop_after_attempt
from zeep.transports import Transport

from connectors.elsmart.contract import NS, WSDL
from hub.toolkit import (
    CappedSession,
    GridhubError,
    InvalidMessage,
    RemoteFault,
    TargetRejected,
    TargetServerError,
    TargetTimeout,
    TargetUnavailable,
    zeep_settings,
)

PORTAL_BINDING = f"{{{NS}}}PortalBinding"
GRIDHUB_BINDING = f"{{{NS}}}GridhubBinding"
_RETRYABLE_4XX = {408, 425, 429}  # "not now", not "never"
_PERMANENT_FAULTS = {"Client", "VersionMismatch", "MustUnderstand"}


class SoapCaller:
    """Calls one binding of the WSDL at ``url``; ``call(element)`` returns zeep's answer."""

    def __init__(self, url: str, *, binding: str = PORTAL_BINDING, wsdl: Path = WSDL,
                 username: str | None = None, password: str | None = None,
                 timeout: float = 10.0) -> None:
        session = CappedSession()
        if username:
            session.auth = (username, password or "")
        transport = Transport(session=session, timeout=timeout, operation_timeout=timeout)
        self.url = url
        self.timeout = timeout
        self._client = zeep.Client(str(wsdl), transport=transport, settings=zeep_settings())
        self._service = self._client.create_service(binding, url)

    def call(self, element: etree._Element) -> Any:
        operation = etree.QName(element).localname
        where = f"elsmart {operation} at {self.url}"
        try:
            values = self._client.get_element(element.tag).parse(element, self._client.wsdl.types)
        except (zeep.exceptions.Error, LookupError) as exc:
            raise InvalidMessage(f"request does not fit the WSDL: {exc}",
                                 where=operation) from exc
        kwargs = {key: value for key, value in values.__values__.items() if value is not None}
        try:
            return self._send(operation, kwargs)
        except GridhubError:
            raise
        except Exception as exc:
            raise classify(exc, where=where, timeout=self.timeout) from exc

    @retry(retry=retry_if_exception(lambda e: _is_reset(e)), stop=stop_after_attempt(2),
           reraise=True)
    def _send(self, operation: str, kwargs: dict[str, Any]) -> Any:
        # A kept-alive connection the server closed in between fails once: one quick retry.
        return getattr(self._service, operation)(**kwargs)


def _is_reset(exc: BaseException) -> bool:
    return (isinstance(exc, requests.exceptions.ConnectionError)
            and not isinstance(exc, requests.exceptions.Timeout)
            and "reset" in str(exc).lower())


def classify(exc: BaseException, *, where: str, timeout: float) -> GridhubError:
    """The hub error for a zeep/requests failure, with the remote fault kept."""
    if isinstance(exc, requests.exceptions.Timeout):
        return TargetTimeout(f"no answer within {timeout:g}s", where=where)
    if isinstance(exc, requests.exceptions.ConnectionError):
        return TargetUnavailable(f"cannot reach the portal: {_short(exc)}", where=where)
    if isinstance(exc, zeep.exceptions.Fault):
        return _fault(exc, where)
    if isinstance(exc, zeep.exceptions.TransportError):
        return _http(exc, where)
    if isinstance(exc, zeep.exceptions.Error | etree.LxmlError):
        return TargetServerError(f"unusable answer: {exc}", where=where,
                                 remote=RemoteFault(kind="soap", message=str(exc)[:500]))
    if isinstance(exc, requests.exceptions.RequestException):
        return TargetUnavailable(f"request failed: {_short(exc)}", where=where)
    return TargetServerError(f"unexpected failure: {exc!r}", where=where)


def _fault(exc: zeep.exceptions.Fault, where: str) -> GridhubError:
    code = (exc.code or "").rpartition(":")[2].split(".")[0]
    detail = etree.tostring(exc.detail, encoding="unicode") if exc.detail is not None else None
    remote = RemoteFault(kind="soap", status=code or None, message=exc.message,
                         body_excerpt=(detail or "")[:2048] or None)
    if code in _PERMANENT_FAULTS:
        return TargetRejected(f"SOAP {code} fault: {exc.message}", where=where, remote=remote)
    return TargetServerError(f"SOAP {code or 'unknown'} fault: {exc.message}", where=where,
                             remote=remote)


def _http(exc: zeep.exceptions.TransportError, where: str) -> GridhubError:
    body = exc.content if isinstance(exc.content, bytes) else str(exc.content or "").encode()
    return http_error(int(exc.status_code or 0), body, where=where, message=exc.message)


def http_error(status: int, body: bytes, *, where: str, message: str | None = None
               ) -> GridhubError:
    """An HTTP failure without a SOAP fault: 4xx permanent (but 408/425/429), else transient."""
    remote = RemoteFault(kind="http", status=str(status), message=message,
                         body_excerpt=body[:2048].decode("utf-8", "replace"))
    if 400 <= status < 500 and status not in _RETRYABLE_4XX:
        return TargetRejected(f"HTTP {status}", where=where, remote=remote)
    return TargetServerError(f"HTTP {status}" if status else f"transport error: {message}",
                             where=where, remote=remote)


def _short(exc: BaseException) -> str:
    text = str(exc)
    return text if len(text) <= 300 else text[:300] + "..."
