"""The elhub connector: master data and metering values out, the datahub's queues in.

Settings (routes.yaml ``connectors.elhub.settings``; secrets as ``${ENV}``):

    url: https://datahub.example:9443            # services at <url>/WebService/services/<Service>
    service_path: /WebService/services           # the WSDLs' path pattern (default)
    endpoints: {Query: https://...}              # a full URL for any service, if it differs
    certificate: /etc/gridhub/elhub-cert.pem     # X.509 of the physical sender (signs)
    private_key: /etc/gridhub/elhub-key.pem
    private_key_password: ${ELHUB_KEY_PASSWORD}  # if the key is encrypted
    elhub_certificate: /etc/gridhub/elhub.pem    # the datahub's: every answer is verified by it
    algorithm_suite: Basic256                    # or Basic256Sha256 (WS-Security, section 22.3)
    signature_method: rsa-sha256                 # override the suite's (rsa-sha1 | rsa-sha256)
    timestamp_ttl: 60                            # seconds a request's wsu:Timestamp lives
    sender_gln: "7080005051019"                  # our GLN (DDM); default from mapping.yaml
    elhub_gln: "7080010001009"                   # the datahub's GLN
    timeout: 30                                  # seconds, every call
    poll_interval: 30                            # seconds between poll rounds; 0: no polling
    positive_ack: true                           # ask for a 39 on master data
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from lxml import etree

from connectors.elhub import (
    acknowledgement,
    documents,
    emif,
    kinds,
    masterdata,
    policy,
    polling,
    structure,
    values,
)
from connectors.elhub.poller import Poller, Sent
from connectors.elhub.soapclient import ElhubClient
from hub.toolkit import ConfigurationError, Connector, Inbound, InvalidMessage, KeepsDocuments
from schemas.envelope import Envelope
from schemas.identifiers import Gln, IdentifierError
from schemas.message_types import MessageType

SENT_LOG_SIZE = 100_000  # document ids remembered to give acknowledgements their case


class ElhubConnector(Connector):
    name: ClassVar[str] = "elhub"

    def __init__(self, settings: Mapping[str, Any], inbound: Inbound) -> None:
        super().__init__(settings, inbound)
        self.client = ElhubClient(self.settings)
        parties = emif.parties()
        self.sender_gln = _gln(self.settings.get("sender_gln") or parties["sender_gln"],
                               "sender_gln")
        self.elhub_gln = _gln(self.settings.get("elhub_gln") or parties["elhub_gln"],
                              "elhub_gln")
        self.positive_ack = bool(self.settings.get("positive_ack", True))
        self._sent: OrderedDict[str, Sent] = OrderedDict()
        interval = float(self.settings.get("poll_interval", 30))
        # Polled documents are kept in the hub's store before the poll is acknowledged;
        # an inbound without a store (`gridhub status`) builds a poller that refuses to run.
        intake = inbound.intake(self.name) if isinstance(inbound, KeepsDocuments) else None
        self.poller = Poller(self.client, self.inbound.publish, sender=self.sender_gln,
                             recipient=self.elhub_gln, interval=interval,
                             sent=self._sent.get, intake=intake) if interval > 0 else None

    # -- outbound ------------------------------------------------------------------------------

    def deliver(self, message: Envelope) -> Sequence[Envelope]:
        """Send one canonical message; 41 is TargetRejected, 39 comes back as a reply."""
        if message.type == MessageType.METERINGPOINT_UPDATED:
            document = masterdata.to_document(message, sender=self.sender_gln,
                                              recipient=self.elhub_gln,
                                              positive_ack=self.positive_ack)
            service, operation = polling.MARKET, "RequestUpdateMasterDataMeteringPoint"
        elif message.type == MessageType.METERINGVALUES_COLLECTED:
            document = values.to_document(message, sender=self.sender_gln,
                                          recipient=self.elhub_gln)
            document.tag = polling.METERING.tag("CollectedData")  # local in the wrapper
            service, operation = polling.METERING, "CollectedData"
        else:
            document, service, operation = _document_kind(message)
        wrapper = etree.Element(service.tag(f"{operation}Request"))
        wrapper.append(document)
        self._remember(message)
        answer = self.client.call(service, operation, wrapper)
        return self._outcome(message, answer, f"{service.name}.{operation}")

    def _outcome(self, message: Envelope, answer: etree._Element | None, where: str
                 ) -> list[Envelope]:
        if answer is None:
            return []  # taken in; an acknowledgement, if any, comes by polling
        found = [answer] if answer.tag == documents.ACK else \
            [child for child in answer if child.tag == documents.ACK]
        acks = [acknowledgement.read(a) for a in found]
        for ack in acks:
            if ack.rejected:
                raise ack.rejection(where)
        if not acks:
            return []
        payload: dict[str, Any] = {"status": acknowledgement.ACCEPTED,
                                   "original_message_id": message.message_id}
        if message.payload.get("gsrn"):
            payload["gsrn"] = message.payload["gsrn"]
        if message.payload.get("event"):  # which process was accepted (121 new, 122 ...)
            payload["event"] = message.payload["event"]
        return [message.derive(MessageType.METERINGPOINT_ACKNOWLEDGED, self.name, payload,
                               acknowledgement.ACCEPTED)]

    def _remember(self, message: Envelope) -> None:
        self._sent[emif.document_id(message.message_id)] = Sent(
            message.case_id, message.message_id, message.payload.get("gsrn"))
        while len(self._sent) > SENT_LOG_SIZE:
            self._sent.popitem(last=False)

    # -- translation (no I/O) ------------------------------------------------------------------

    @classmethod
    def to_canonical(cls, document: bytes) -> list[Envelope]:
        return [m for d in documents.business_documents(document)
                for m in documents.to_canonical(d)]

    @classmethod
    def to_wire(cls, message: Envelope) -> bytes:
        parties = emif.parties()
        return documents.to_wire(message, sender=parties["sender_gln"],
                                 recipient=parties["elhub_gln"])

    # -- inbound -------------------------------------------------------------------------------

    def start(self) -> None:
        if self.poller is not None:
            _ = self.poller.intake  # no store to keep polled documents in: refuse to start
            self.poller.start()

    def stop(self) -> None:
        if self.poller is not None:
            self.poller.stop()

    def reachable(self) -> bool:
        return self.client.reachable()


_SERVICES = {s.name: s for s in polling.SERVICES.values()}


def _document_kind(message: Envelope) -> tuple[etree._Element, polling.Service, str]:
    """A document kind the grid owner sends (structure.py), with its service and operation."""
    kind = structure.BY_TYPE.get(message.type)
    if kind is None or not kind.sends or kind.root == "PollForData":
        raise InvalidMessage(f"elhub takes meteringpoint.updated, meteringvalues.collected and "
                             f"the document kinds a grid owner sends, not {message.type}",
                             where="type")
    document = kinds.write(message)
    if kind.root == "CollectedData":
        document.tag = polling.METERING.tag("CollectedData")  # local in the wrapper
        return document, polling.METERING, "CollectedData"
    if kind.root == "Acknowledgement":  # rejecting a supplier's reading (BRS-NO-311)
        return document, polling.METERING, "Acknowledge"
    service = next(n for n, ops in policy.OPERATIONS.items() if kind.root in ops)
    return document, _SERVICES[service], kind.root


def _gln(value: object, key: str) -> str:
    try:
        return Gln(str(value)).reveal()
    except IdentifierError as exc:
        raise ConfigurationError(str(exc), where=f"connectors.elhub.settings.{key}") from exc
