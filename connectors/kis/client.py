"""The SOAP 1.1 client side of KIS: zeep for the contract and the transport, errors classified.

zeep loads our WSDL (operations, SOAPAction) with the hardened settings and owns the HTTP
transport (requests session, time-outs, Basic auth). The body is written by the declarative
mapping rather than by zeep's object model, so the mapping file stays the one place where wire
and canonical meet; the envelope is posted with ``Transport.post_xml``.

    connection refused, reset, DNS      TargetUnavailable  (transient)
    no answer within the time-out       TargetTimeout      (transient)
    soap:Server fault, HTTP 5xx/408/429 TargetServerError  (transient)
    soap:Client fault, other HTTP 4xx   TargetRejected     (permanent)
    not SOAP, breaks the contract       InvalidMessage     (permanent)
"""

from __future__ import annotations

import threading
from pathlib import Path

import requests
from lxml import etree
from tenacity import retry, retry_if_exception, stop_after_attempt
from zeep import Client
from zeep.transports import Transport

from connectors.kis.contract import WSDL_PATH
from hub.toolkit import (
    CappedSession,
    ConfigurationError,
    InvalidMessage,
    RemoteFault,
    TargetRejected,
    TargetServerError,
    TargetTimeout,
    TargetUnavailable,
    soap,
    zeep_settings,
)
from hub.toolkit import parse_xml as parse

_RETRYABLE_4XX = {408, 425, 429}


def _is_reset(exc: BaseException) -> bool:
    return isinstance(exc, requests.ConnectionError) and not isinstance(exc, requests.Timeout)


class KisClient:
    """Posts one SOAP request per call; thread-safe (one HTTP session per thread)."""

    def __init__(self, url: str, *, timeout: float, username: str | None = None,
                 password: str | None = None, wsdl: Path = WSDL_PATH) -> None:
        self.url = url
        self.timeout = timeout
        self._auth = (username, password or "") if username else None
        self._actions = _soap_actions(wsdl)
        self._local = threading.local()

    def call(self, operation: str, body: etree._Element) -> etree._Element:
        """Send ``body`` as ``operation``; the response's body element, or a gridhub error."""
        where = f"kis {operation} at {self.url}"
        if operation not in self._actions:
            raise ConfigurationError(f"the WSDL has no operation {operation!r}", where=where)
        envelope = etree.Element(f"{{{soap.SOAP_NS}}}Envelope", nsmap={"soap": soap.SOAP_NS})
        etree.SubElement(envelope, f"{{{soap.SOAP_NS}}}Body").append(body)
        headers = {"SOAPAction": f'"{self._actions[operation]}"', "Content-Type": soap.CONTENT_TYPE}
        try:
            response = self._post(envelope, headers)
        except requests.Timeout as exc:
            raise TargetTimeout(f"no answer within {self.timeout:g}s", where=where) from exc
        except (requests.ConnectionError, OSError) as exc:
            raise TargetUnavailable(f"cannot reach KIS: {type(exc).__name__}",
                                    where=where) from exc
        return _body_of_response(response, where)

    # A kept-alive connection the server closed in between fails once; one quick retry.
    # Safe: LookupFacility and GetEvents read, RegisterCustomer is idempotent per MessageId.
    @retry(retry=retry_if_exception(_is_reset), stop=stop_after_attempt(2), reraise=True)
    def _post(self, envelope: etree._Element, headers: dict[str, str]) -> requests.Response:
        return self._transport().post_xml(self.url, envelope, headers)

    def _transport(self) -> Transport:
        transport = getattr(self._local, "transport", None)
        if transport is None:
            session = CappedSession()
            session.auth = self._auth
            transport = Transport(session=session, timeout=self.timeout,
                                  operation_timeout=self.timeout)
            self._local.transport = transport
        return transport


def _soap_actions(wsdl: Path) -> dict[str, str]:
    """Operation name -> SOAPAction, from the contract's WSDL (loaded by zeep, no network)."""
    try:
        client = Client(str(wsdl), transport=Transport(timeout=5), settings=zeep_settings())
    except Exception as exc:  # zeep raises many types; all mean the contract cannot be used
        raise ConfigurationError(f"cannot load the WSDL: {exc}", where=str(wsdl)) from exc
    actions: dict[str, str] = {}
    for binding in client.wsdl.bindings.values():
        for name, operation in binding.all().items():
            actions[name] = operation.soapaction or ""
    if not actions:
        raise ConfigurationError("the WSDL defines no SOAP operations", where=str(wsdl))
    return actions


def _body_of_response(response: requests.Response, where: str) -> etree._Element:
    data = response.content
    status = response.status_code
    excerpt = data[:2048].decode("utf-8", "replace")
    if b"Fault" in data:
        soap.raise_for_fault(data, where=where)  # Server: transient, Client: permanent
    remote = RemoteFault(kind="http", status=str(status), message=response.reason,
                         body_excerpt=excerpt)
    if status >= 500 or status in _RETRYABLE_4XX:
        raise TargetServerError(f"HTTP {status} {response.reason}", where=where, remote=remote)
    if status >= 300:
        raise TargetRejected(f"HTTP {status} {response.reason}", where=where, remote=remote)
    root = parse(data, where=where)
    body = root.find(f"{{{soap.SOAP_NS}}}Body")
    if root.tag != f"{{{soap.SOAP_NS}}}Envelope" or body is None or len(body) == 0:
        raise InvalidMessage("the answer is not a SOAP 1.1 envelope with a body",
                             where=where, remote=remote)
    return body[0]
