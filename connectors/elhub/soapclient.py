"""SOAP 1.1 calls to the datahub: wrap, sign, post through the toolkit's HttpClient, whose
classifier (hub.toolkit.failures) decides transient or permanent:

    timeout / refused / reset           TargetTimeout / TargetUnavailable    (transient)
    HTTP 5xx without a fault, 408, 429  TargetServerError                    (transient)
    SOAP Server fault (CodeGroup System) TargetServerError                    (transient)
    SOAP Client fault (XSD, Security..) TargetRejected                       (permanent)
    other HTTP 4xx, any 3xx             TargetRejected                       (permanent)
    an answer that is not SOAP          TargetServerError                    (transient)

The ``ElhubSOAPFault`` detail (CodeGroup, Description, FaultText) is kept in the
RemoteFault's details for the dead letter.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from connectors.elhub.polling import Service
from connectors.elhub.wssecurity import Signer
from hub.toolkit import (
    Answer,
    ConfigurationError,
    HttpClient,
    InvalidMessage,
    RemoteFault,
    TargetServerError,
    soap,
)

FAULT_NS = "urn:no:elhub:emif:wsdl:common:v2"
_SETTINGS = "connectors.elhub.settings"


class ElhubClient:
    """One HTTP session to the datahub; every call signed when a key is configured."""

    def __init__(self, settings: Mapping[str, Any]) -> None:
        url = str(settings.get("url", "")).rstrip("/")
        if urlsplit(url).scheme not in ("http", "https"):
            raise ConfigurationError(f"url must be http(s)://..., got {url!r}",
                                     where=f"{_SETTINGS}.url")
        self.url = url
        self.timeout = float(settings.get("timeout", 30.0))
        self.signer = _signer(settings)
        # The toolkit's client: time-out, size cap, no redirects, no proxy from the
        # environment (say one explicitly), SOAP faults and HTTP statuses classified once.
        self._http = HttpClient(url, target="the datahub", timeout=self.timeout, soap=True,
                                proxy=str(settings["proxy"]) if settings.get("proxy") else None,
                                ca_bundle=str(settings["ca_bundle"]) if settings.get("ca_bundle")
                                else None, error_detail=_fault_detail)

    def endpoint(self, service: Service) -> str:
        return f"{self.url}/emif/{service.name}"

    def call(self, service: Service, operation: str, request: etree._Element
             ) -> etree._Element | None:
        """Send ``request`` (the wrapper element); the answer's first Body element, if any."""
        envelope = etree.Element(f"{{{soap.SOAP_NS}}}Envelope", nsmap={"soap": soap.SOAP_NS})
        etree.SubElement(envelope, f"{{{soap.SOAP_NS}}}Body").append(request)
        if self.signer is not None:
            self.signer.sign(envelope)
        data = etree.tostring(envelope, xml_declaration=True, encoding="utf-8")
        where = f"{service.name}.{operation} {self.endpoint(service)}"
        answer = self._http.post(f"/emif/{service.name}", data, content_type=soap.CONTENT_TYPE,
                                 headers={"SOAPAction": f'"{operation}"'}, where=where)
        return _answer(answer, where)

    def reachable(self) -> bool:
        return self._http.reachable()

    def close(self) -> None:
        self._http.close()


def _answer(answer: Answer, where: str) -> etree._Element | None:
    body = answer.body
    if not body.strip():
        return None
    try:
        root = soap.body_of(body, where=where)
    except InvalidMessage as exc:
        if "soap:Body is missing or empty" in str(exc):
            return None  # Elhub answers most operations with an empty Body
        raise TargetServerError(f"the answer is not a SOAP envelope: {exc.message}",
                                where=where, remote=RemoteFault(
                                    kind="http", status=str(answer.status),
                                    body_excerpt=body[:2048].decode("utf-8", "replace"))
                                ) from exc
    return root


def _fault_detail(body: bytes) -> tuple[str | None, dict[str, Any]]:
    """The ElhubSOAPFault detail (CodeGroup, Description, FaultText) for the dead letter."""
    try:
        fault = soap.body_of(body)
    except InvalidMessage:
        return None, {}
    detail = fault.find(f"detail/{{{FAULT_NS}}}ElhubSOAPFault")
    if detail is None:
        return None, {}
    return None, {etree.QName(child).localname: (child.text or "")[:1000] for child in detail}


def _signer(settings: Mapping[str, Any]) -> Signer | None:
    cert, key = settings.get("certificate"), settings.get("private_key")
    if not cert and not key and settings.get("sign") is False:
        return None  # only for talking to a datahub that checks no signatures (tests)
    if not cert or not key:
        raise ConfigurationError("certificate and private_key (PEM file paths) are required: "
                                 "the datahub accepts only signed messages",
                                 where=f"{_SETTINGS}.certificate")
    for name, path in (("certificate", cert), ("private_key", key)):
        if not Path(str(path)).is_file():
            raise ConfigurationError(f"{path} is not a readable file", where=f"{_SETTINGS}.{name}")
    try:
        return Signer(Path(str(cert)), Path(str(key)), settings.get("private_key_password"))
    except Exception as exc:  # xmlsec says little; name the files, never the password
        raise ConfigurationError(f"cannot load the key pair {cert} / {key}: "
                                 f"{type(exc).__name__}", where=f"{_SETTINGS}.private_key"
                                 ) from exc
