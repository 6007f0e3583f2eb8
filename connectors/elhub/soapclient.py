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

Endpoints follow the WSDLs' path pattern ``<url>/WebService/services/<Service>`` (section 21;
the last segment is the WSDL's file name, e.g. ``PollMarketProcesses``); ``service_path``
changes the pattern and ``endpoints`` gives a full URL per service. Every answer that is not
a fault must be signed by the configured Elhub certificate (``elhub_certificate``): a missing
or wrong signature is an :class:`InvalidMessage` (permanent), as nothing in it can be trusted.
Faults carry no policy (section 22.1) and are not checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from lxml import etree

from connectors.elhub import wssecurity
from connectors.elhub.polling import SERVICES, Service
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
from hub.toolkit import parse_xml as parse

FAULT_NS = "urn:no:elhub:emif:wsdl:common:v2"
_SETTINGS = "connectors.elhub.settings"
SERVICE_PATH = "/WebService/services"


class ElhubClient:
    """One HTTP session to the datahub; every call signed when a key is configured."""

    def __init__(self, settings: Mapping[str, Any]) -> None:
        url = str(settings.get("url", "")).rstrip("/")
        if urlsplit(url).scheme not in ("http", "https"):
            raise ConfigurationError(f"url must be http(s)://..., got {url!r}",
                                     where=f"{_SETTINGS}.url")
        self.url = url
        self.service_path = "/" + str(settings.get("service_path", SERVICE_PATH)).strip("/")
        self.endpoints = _endpoints(settings.get("endpoints") or {})
        self.timeout = float(settings.get("timeout", 30.0))
        self.signer = _signer(settings)
        self.elhub_certificate = _elhub_certificate(settings, self.signer)
        # The toolkit's client: time-out, size cap, no redirects, no proxy from the
        # environment (say one explicitly), SOAP faults and HTTP statuses classified once.
        self._http = HttpClient(url, target="the datahub", timeout=self.timeout, soap=True,
                                proxy=str(settings["proxy"]) if settings.get("proxy") else None,
                                ca_bundle=str(settings["ca_bundle"]) if settings.get("ca_bundle")
                                else None, error_detail=_fault_detail)

    def endpoint(self, service: Service) -> str:
        return self.endpoints.get(service.name) or \
            f"{self.url}{self.service_path}/{service.name}"

    def call(self, service: Service, operation: str, request: etree._Element
             ) -> etree._Element | None:
        """Send ``request`` (the wrapper element); the answer's first Body element, if any."""
        envelope = etree.Element(f"{{{soap.SOAP_NS}}}Envelope", nsmap={"soap": soap.SOAP_NS})
        etree.SubElement(envelope, f"{{{soap.SOAP_NS}}}Body").append(request)
        if self.signer is not None:
            self.signer.sign(envelope)
        data = etree.tostring(envelope, xml_declaration=True, encoding="utf-8")
        where = f"{service.name}.{operation} {self.endpoint(service)}"
        answer = self._http.post(self.endpoint(service), data, content_type=soap.CONTENT_TYPE,
                                 headers={"SOAPAction": f'"{operation}"'}, where=where)
        root = _answer(answer, where)
        if self.elhub_certificate is not None:
            _verify(answer.body, self.elhub_certificate, where)
        return root

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


def _verify(body: bytes, certificate: bytes, where: str) -> None:
    """The answer must be signed by the datahub (policy sign_body on every output)."""
    try:
        envelope = parse(body, where=where) if body.strip() else None
        if envelope is None or envelope.tag != f"{{{soap.SOAP_NS}}}Envelope":
            raise wssecurity.SecurityError("the answer is no SOAP envelope, so not signed")
        wssecurity.verify(envelope, certificate, strict=False)
    except (wssecurity.SecurityError, InvalidMessage) as exc:
        raise InvalidMessage(f"the datahub's answer fails WS-Security: {exc}", where=where,
                             remote=RemoteFault(kind="wss", message=str(exc)[:500])) from exc


def _endpoints(value: object) -> dict[str, str]:
    known = {s.name for s in SERVICES.values()}
    if not isinstance(value, Mapping) or not set(value) <= known:
        raise ConfigurationError(f"endpoints maps service names ({', '.join(sorted(known))}) "
                                 f"to URLs, got {value!r}", where=f"{_SETTINGS}.endpoints")
    out = {str(k): str(v).rstrip("/") for k, v in value.items()}
    for name, url in out.items():
        if urlsplit(url).scheme not in ("http", "https"):
            raise ConfigurationError(f"must be http(s)://..., got {url!r}",
                                     where=f"{_SETTINGS}.endpoints.{name}")
    return out


def _elhub_certificate(settings: Mapping[str, Any], signer: Signer | None) -> bytes | None:
    """The datahub's certificate (PEM) that signs its answers; required wherever we sign."""
    path = settings.get("elhub_certificate")
    if not path:
        if signer is None:
            return None
        raise ConfigurationError("elhub_certificate (PEM file path) is required: every answer "
                                 "of the datahub is verified against it",
                                 where=f"{_SETTINGS}.elhub_certificate")
    try:
        data = Path(str(path)).read_bytes()
        x509.load_pem_x509_certificate(data)
    except (OSError, ValueError) as exc:
        raise ConfigurationError(f"{path} is not a readable PEM certificate: "
                                 f"{type(exc).__name__}", where=f"{_SETTINGS}.elhub_certificate"
                                 ) from exc
    return data


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
        algorithms = wssecurity.suite(str(settings.get("algorithm_suite", "Basic256")),
                                      settings.get("signature_method"))
    except ValueError as exc:
        raise ConfigurationError(str(exc), where=f"{_SETTINGS}.algorithm_suite") from exc
    ttl = timedelta(seconds=float(settings.get("timestamp_ttl", 60)))
    try:
        return Signer(Path(str(cert)), Path(str(key)), settings.get("private_key_password"),
                      algorithms=algorithms, ttl=ttl)
    except Exception as exc:  # xmlsec says little; name the files, never the password
        raise ConfigurationError(f"cannot load the key pair {cert} / {key}: "
                                 f"{type(exc).__name__}", where=f"{_SETTINGS}.private_key"
                                 ) from exc
