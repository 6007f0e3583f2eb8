"""The elsmart connector class: inbound SOAP endpoint, outbound zeep client, translation."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any

import structlog

from connectors.elsmart.client import PORTAL_BINDING, SoapCaller
from connectors.elsmart.inbound import InboundEndpoint
from connectors.elsmart.settings import WHERE, ElsmartSettings
from connectors.elsmart.wire import INBOUND, ElsmartWire
from hub.toolkit import (
    ConfigurationError,
    Connector,
    Credentials,
    Inbound,
    InvalidMessage,
    soap,
    xmlsafe,
)
from schemas.envelope import Envelope

log = structlog.get_logger("gridhub.elsmart")


class ElsmartConnector(Connector):
    """Installer portal and work-order system (SOAP 1.1, our WSDL)."""

    name = "elsmart"

    def __init__(self, settings: Mapping[str, Any], inbound: Inbound) -> None:
        super().__init__(settings, inbound)
        self.config = ElsmartSettings.parse(self.settings)
        self.wire = ElsmartWire.load(self.config.mapping, self.config.xsd)
        self._caller: SoapCaller | None = None
        self._lock = threading.Lock()
        self._endpoint: InboundEndpoint | None = None

    # -- outbound ---------------------------------------------------------------------------

    def deliver(self, message: Envelope) -> Sequence[Envelope]:
        if self.wire.direction(message.type) == INBOUND:
            raise InvalidMessage(f"{message.type} goes from the portal to gridhub, not back "
                                 f"(the portal takes: {', '.join(self._outbound_types())})",
                                 where="type")
        element = self.wire.write(message)
        receipt = self._portal().call(element)
        log.info("elsmart.delivered", type=message.type, message_id=message.message_id,
                 case_id=message.case_id, duplicate=bool(getattr(receipt, "Duplicate", False)))
        return []

    def _outbound_types(self) -> list[str]:
        return sorted(t for t in self.wire.mapping.documents
                      if self.wire.direction(t) != INBOUND)

    def _portal(self) -> SoapCaller:
        with self._lock:  # the WSDL is loaded once, on first use
            if self._caller is None:
                if not self.config.url:
                    raise ConfigurationError("no portal url: set url to the portal's SOAP "
                                             "endpoint", where=f"{WHERE}.url")
                http = self.config.http_client(self.config.url, target="the portal")
                self._caller = SoapCaller(http, binding=PORTAL_BINDING, wsdl=self.config.wsdl)
            return self._caller

    # -- inbound ----------------------------------------------------------------------------

    def start(self) -> None:
        if self.config.listen_port is None or self._endpoint is not None:
            return
        credentials = Credentials(username=self.config.inbound_username,
                                  password=self.config.inbound_password)
        try:
            self._endpoint = InboundEndpoint(
                self.wire, self.inbound.publish, credentials, wsdl=self.config.wsdl.read_bytes(),
                host=self.config.listen_host, port=self.config.listen_port).start()
        except OSError as exc:  # the port is taken, or the address is not this host's
            raise ConfigurationError(
                f"cannot listen on {self.config.listen_host}:{self.config.listen_port} for the "
                f"portal's calls: {exc.strerror or exc}", where=f"{WHERE}.listen_port") from exc
        log.info("elsmart.inbound.listening", url=self._endpoint.url)

    def stop(self) -> None:
        if self._endpoint is not None:
            self._endpoint.stop()
            self._endpoint = None

    @property
    def inbound_url(self) -> str | None:
        """The inbound endpoint's URL once started."""
        return self._endpoint.url if self._endpoint is not None else None

    def reachable(self) -> bool:
        return bool(self.config.url) and self._portal().http.reachable()

    # -- translation without I/O ----------------------------------------------------------

    def translate_in(self, document: bytes) -> list[Envelope]:
        """With the mapping and contract of the settings, as the running hub reads."""
        root = xmlsafe.parse(document, where="elsmart document")
        element = soap.body_of(document) if root.tag == f"{{{soap.SOAP_NS}}}Envelope" else root
        return [self.wire.read(element)]

    def translate_out(self, message: Envelope) -> bytes:
        return soap.envelope(self.wire.write(message))

    @classmethod
    def to_canonical(cls, document: bytes) -> list[Envelope]:
        """A SOAP envelope (or a bare body element) of any elsmart operation, either way."""
        root = xmlsafe.parse(document, where="elsmart document")
        element = soap.body_of(document) if root.tag == f"{{{soap.SOAP_NS}}}Envelope" else root
        return [ElsmartWire.load().read(element)]

    @classmethod
    def to_wire(cls, message: Envelope) -> bytes:
        """The SOAP 1.1 request that carries ``message`` (either direction)."""
        return soap.envelope(ElsmartWire.load().write(message))
