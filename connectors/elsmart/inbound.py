"""gridhub's inbound SOAP endpoint: the installer portal calls it.

Per call: authenticate (HTTP Basic, by the server), parse the SOAP body through the hardened
parser, validate against the contract, map to a canonical envelope, validate its payload,
publish, and only after the broker confirmed answer an Ack with the message id. Invalid input
is a SOAP Client fault naming the element and why; a hub that cannot take the message now is
a SOAP Server fault, so the portal retries (with the same MessageId: the hub dedupes).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import structlog
from lxml import etree

from connectors.elsmart.contract import NS
from connectors.elsmart.wire import INBOUND, ElsmartWire
from hub.toolkit import Credentials, GridhubError, InboundServer, Request, Response, soap
from schemas.envelope import Envelope

log = structlog.get_logger("gridhub.elsmart")
Publish = Callable[[Sequence[Envelope]], None]


def soap_action_of(element: etree._Element) -> str:
    """The WSDL's soapAction for the operation whose element this is (NS#Operation)."""
    return f"{NS}#{etree.QName(element).localname}"


class InboundEndpoint:
    """``InboundEndpoint(wire, publish, credentials).start()``; ``.url`` once started."""

    def __init__(self, wire: ElsmartWire, publish: Publish, credentials: Credentials, *,
                 wsdl: bytes, host: str = "127.0.0.1", port: int = 0) -> None:
        self.wire = wire
        self._publish = publish
        self._wsdl = wsdl
        self._server = InboundServer(self.handle, credentials, host=host, port=port,
                                  realm="gridhub elsmart")

    @property
    def url(self) -> str:
        return f"{self._server.url}/elsmart"

    def start(self) -> InboundEndpoint:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()  # also drops kept-alive connections, so nothing is taken after

    def handle(self, request: Request) -> Response:
        if request.method == "GET":
            if request.path.lower().endswith("?wsdl"):
                return Response(200, self._wsdl, content_type=soap.CONTENT_TYPE)
            return Response(404, b'{"error": "POST SOAP 1.1 requests here; GET ?wsdl"}')
        if request.method != "POST":
            return Response(405, b'{"error": "POST only"}', headers={"Allow": "GET, POST"})
        try:
            # No header is processed here: every mustUnderstand header is refused.
            element = soap.body_of(request.body, where="elsmart request", understood=())
            soap.check_action(request.headers.get("soapaction"), soap_action_of(element))
            message = self.wire.read(element, direction=INBOUND, source="elsmart")
        except GridhubError as exc:
            log.warning("elsmart.inbound.refused", where=exc.where, error=exc.message)
            status, body = soap.fault_for(exc)
            return Response(status, body, content_type=soap.CONTENT_TYPE)
        try:
            self._publish([message])
        except Exception as exc:  # the broker or store: the caller must retry later
            log.error("elsmart.inbound.publish_failed", message_id=message.message_id,
                      case_id=message.case_id, error=repr(exc))
            detail = exc.message if isinstance(exc, GridhubError) else type(exc).__name__
            return Response(500, soap.fault("Server", "gridhub could not store the message "
                                            f"now; retry with the same MessageId ({detail})"),
                            content_type=soap.CONTENT_TYPE)
        log.info("elsmart.inbound.accepted", operation=etree.QName(element).localname,
                 type=message.type, message_id=message.message_id, case_id=message.case_id)
        return Response(200, soap.envelope(self._ack(message)), content_type=soap.CONTENT_TYPE)

    def _ack(self, message: Envelope) -> etree._Element:
        ack = etree.Element(f"{{{NS}}}Ack", nsmap={"e": NS})
        etree.SubElement(ack, f"{{{NS}}}MessageId").text = message.message_id
        etree.SubElement(ack, f"{{{NS}}}CaseRef").text = message.case_id
        etree.SubElement(ack, f"{{{NS}}}Received").text = datetime.now(UTC).isoformat()
        self.wire.contract.check(ack, where="Ack")
        return ack
