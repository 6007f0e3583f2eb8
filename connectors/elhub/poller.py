"""Pull the datahub's queues (PollMarketProcesses, PollMeteringValues) into the hub.

One round per service: PollForData; translate every document of the result; publish the
canonical messages (blocks until the hub's broker confirmed); only then AcknowledgePoll with
the poll-result id. Repeat until the datahub answers nil. A failure before the poll ack
leaves the result with the datahub, which hands it out again: nothing is lost, and the
hub's idempotency (message ids derived from the document ids) drops what it already has.

A document that cannot be translated (breaks the contract, or carries no canonical
message) is logged by root and id, kept in :attr:`Poller.skipped`, and not published: a poll
result can only be acknowledged whole (a partial or negative poll ack is not allowed).
"""

from __future__ import annotations

import uuid
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog
from lxml import etree

from connectors.elhub import acknowledgement, documents, emif, polling
from connectors.elhub.soapclient import ElhubClient
from hub.toolkit import Background, GridhubError, InvalidMessage
from schemas.envelope import Envelope

log = structlog.get_logger("gridhub.elhub.poller")
MAX_ROUNDS = 1000  # per service and wake-up: a bound, not a limit anyone should meet


@dataclass(frozen=True)
class Skipped:
    at: datetime
    service: str
    root: str
    document_id: str | None
    error: str


@dataclass(frozen=True)
class Sent:
    """What we sent under a document id, so its acknowledgement finds its case."""

    case_id: str
    message_id: str
    gsrn: str | None


class Poller(Background):
    def __init__(self, client: ElhubClient, publish: Callable[[Sequence[Envelope]], None], *,
                 sender: str, recipient: str, interval: float,
                 sent: Callable[[str], Sent | None]) -> None:
        super().__init__("elhub-poller")
        self.client = client
        self._publish = publish
        self.sender, self.recipient = sender, recipient
        self.interval = interval
        self._sent = sent
        self.skipped: deque[Skipped] = deque(maxlen=1000)
        self.published = 0

    def _run(self) -> None:
        while not self._stop.is_set():
            for service in (polling.POLL_MARKET, polling.POLL_METERING):
                try:
                    self.drain(service)
                except Exception as exc:  # transient or not: log, and try again next round
                    log.warning("elhub.poll_failed", service=service.name,
                                error=str(exc)[:300], retry_in_s=self.interval)
            self._stop.wait(self.interval)

    def drain(self, service: polling.Service) -> int:
        """Poll ``service`` until nothing is queued; the number of messages published."""
        total = 0
        for _ in range(MAX_ROUNDS):
            found = self._poll(service)
            if found is None:
                break
            messages = self._translate(service, found.documents)
            if messages:
                self._publish(messages)
            self._acknowledge(service, found.result_id)
            total += len(messages)
            if self._stop.is_set():
                break
        self.published += total
        return total

    def _poll(self, service: polling.Service) -> polling.PollResult | None:
        now = datetime.now(UTC)
        document = polling.request(sender=self.sender, recipient=self.recipient, created=now,
                                   document_id=str(uuid.uuid4()))
        wrapper = etree.Element(service.tag("PollForDataRequest"))
        wrapper.append(document)
        return polling.result(self.client.call(service, "PollForData", wrapper), service)

    def _acknowledge(self, service: polling.Service, result_id: str) -> None:
        ack = polling.poll_ack(result_id, sender=self.sender, recipient=self.recipient,
                               created=datetime.now(UTC), document_id=str(uuid.uuid4()))
        wrapper = etree.Element(service.tag("AcknowledgePollRequest"))
        wrapper.append(ack)
        self.client.call(service, "AcknowledgePoll", wrapper)

    def _translate(self, service: polling.Service, found: list[etree._Element]
                   ) -> list[Envelope]:
        messages: list[Envelope] = []
        for document in found:
            try:
                messages += self._one(document)
            except GridhubError as exc:
                self._skip(service, document, exc)
        return messages

    def _one(self, document: etree._Element) -> list[Envelope]:
        if document.tag != documents.ACK:
            return documents.to_canonical(document)
        ack = acknowledgement.read(document)
        sent = self._sent(ack.original_id)
        return [acknowledgement.to_envelope(
            ack, case_id=sent.case_id if sent else None, gsrn=sent.gsrn if sent else None,
            original_message_id=sent.message_id if sent else None)]

    def _skip(self, service: polling.Service, document: etree._Element,
              exc: GridhubError) -> None:
        doc_id = document.findtext(f"*/{{{emif.ABIE}}}Identification")
        entry = Skipped(datetime.now(UTC), service.name, etree.QName(document).localname,
                        doc_id, str(exc)[:500])
        self.skipped.append(entry)
        level = log.warning if isinstance(exc, InvalidMessage) else log.error
        level("elhub.poll_document_skipped", service=entry.service, root=entry.root,
              document_id=entry.document_id, error=entry.error)
