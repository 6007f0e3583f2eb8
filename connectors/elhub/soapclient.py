"""SOAP 1.1 calls to the datahub: wrap, sign, post with a time-out, classify every failure.

    timeout / refused / reset           TargetTimeout / TargetUnavailable    (transient)
    HTTP 5xx without a fault, 408, 429  TargetServerError                    (transient)
    SOAP Server fault (CodeGroup System) TargetServerError                    (transient)
    SOAP Client fault (XSD, Security..) TargetRejected                       (permanent)
    other HTTP 4xx                      TargetRejected                       (permanent)
    an answer that is not SOAP          TargetServerError                    (transient)

The ``ElhubSOAPFault`` detail (CodeGroup, Description, FaultText) is kept in the
RemoteFault's details for the dead letter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from lxml import etree

from connectors.elhub.polling import Service
from connectors.elhub.wssecurity import Signer
from hub.toolkit import (
    CappedSession,
    ConfigurationError,
    GridhubError,
    InvalidMessage,
    RemoteFault,
    TargetRejected,
    TargetServerError,
    TargetTimeout,
    TargetUnavailable,
    soap,
)

FAULT_NS = "urn:no:elhub:emif:wsdl:common:v2"
_RETRYABLE_4XX = {408, 425, 429}
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
        self._session = CappedSession()
        self._session.trust_env = False  # no proxy from the environment; say one explicitly
        if settings.get("proxy"):
            self._session.proxies = {"http": str(settings["proxy"]),
                                     "https": str(settings["proxy"])}
        if settings.get("ca_bundle"):
            self._session.verify = str(settings["ca_bundle"])

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
        headers = {"Content-Type": soap.CONTENT_TYPE, "SOAPAction": f'"{operation}"'}
        try:
            response = self._session.post(self.endpoint(service), data=data, headers=headers,
                                          timeout=self.timeout)
        except requests.Timeout as exc:
            raise TargetTimeout(f"no answer within {self.timeout:g}s", where=where) from exc
        except requests.RequestException as exc:
            raise TargetUnavailable(f"cannot reach the datahub: {type(exc).__name__}",
                                    where=where) from exc
        return _answer(response, where)

    def reachable(self) -> bool:
        try:
            self._session.get(self.url, timeout=min(self.timeout, 5.0))
        except requests.RequestException:
            return False
        return True

    def close(self) -> None:
        self._session.close()


def _answer(response: requests.Response, where: str) -> etree._Element | None:
    body = response.content
    if response.status_code >= 400:
        _raise_fault(body, where)
        fault = RemoteFault(kind="http", status=str(response.status_code),
                            message=response.reason,
                            body_excerpt=body[:2048].decode("utf-8", "replace"))
        text = f"HTTP {response.status_code} {response.reason}"
        if response.status_code >= 500 or response.status_code in _RETRYABLE_4XX:
            raise TargetServerError(text, where=where, remote=fault)
        raise TargetRejected(text, where=where, remote=fault)
    if not body.strip():
        return None
    try:
        root = soap.body_of(body, where=where)
    except InvalidMessage as exc:
        if "soap:Body is missing or empty" in str(exc):
            return None  # Elhub answers most operations with an empty Body
        raise TargetServerError(f"the answer is not a SOAP envelope: {exc.message}",
                                where=where, remote=RemoteFault(
                                    kind="http", status=str(response.status_code),
                                    body_excerpt=body[:2048].decode("utf-8", "replace"))
                                ) from exc
    return root


def _raise_fault(body: bytes, where: str) -> None:
    """If ``body`` is a SOAP fault, raise its gridhub error with the Elhub detail kept."""
    try:
        soap.raise_for_fault(body, where=where)
    except GridhubError as exc:
        if exc.remote is not None:
            exc.remote = replace(exc.remote, details={**exc.remote.details,
                                                      **_fault_detail(body)})
        raise


def _fault_detail(body: bytes) -> dict[str, str]:
    try:
        fault = soap.body_of(body)
    except InvalidMessage:
        return {}
    detail = fault.find(f"detail/{{{FAULT_NS}}}ElhubSOAPFault")
    if detail is None:
        return {}
    return {etree.QName(child).localname: (child.text or "")[:1000] for child in detail}


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
