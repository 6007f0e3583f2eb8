"""The SOAP 1.1 client side of KIS: the WSDL for the contract, the toolkit's HttpClient for the
transport (time-outs, size cap, no redirects, Basic auth) and its classifier for every failure.

zeep loads our WSDL (operations, SOAPAction) with the hardened settings. The body is written
by the declarative mapping rather than by zeep's object model, so the mapping file stays the
one place where wire and canonical meet; the envelope is posted as it is.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree
from zeep import Client
from zeep.transports import Transport

from connectors.kis.contract import WSDL_PATH
from hub.toolkit import (
    ConfigurationError,
    HttpClient,
    InvalidMessage,
    RemoteFault,
    failures,
    soap,
    zeep_settings,
)
from hub.toolkit import parse_xml as parse


class KisClient:
    """Posts one SOAP request per call; thread-safe (the HttpClient keeps a session a thread)."""

    def __init__(self, http: HttpClient, *, wsdl: Path = WSDL_PATH) -> None:
        self.http = http  # built with soap=True: a fault is classified as one
        self.url = http.base_url
        self._actions = _soap_actions(wsdl)

    def call(self, operation: str, body: etree._Element) -> etree._Element:
        """Send ``body`` as ``operation``; the response's body element, or a gridhub error.
        Safe to retry: LookupFacility and GetEvents read, RegisterCustomer is idempotent per
        MessageId."""
        where = f"kis {operation} at {self.url}"
        if operation not in self._actions:
            raise ConfigurationError(f"the WSDL has no operation {operation!r}", where=where)
        envelope = soap.envelope(body)
        answer = self.http.post("", envelope, content_type=soap.CONTENT_TYPE,
                                headers={"SOAPAction": f'"{self._actions[operation]}"'},
                                where=where)
        root = parse(answer.body, where=where)
        found = root.find(f"{{{soap.SOAP_NS}}}Body")
        if root.tag != f"{{{soap.SOAP_NS}}}Envelope" or found is None or len(found) == 0:
            raise InvalidMessage("the answer is not a SOAP 1.1 envelope with a body",
                                 where=where, remote=RemoteFault(
                                     kind="http", status=str(answer.status),
                                     body_excerpt=failures.excerpt(answer.body)))
        return found[0]


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
