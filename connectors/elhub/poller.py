"""Pull the datahub's queues (PollMarketProcesses, PollMeteringValues) into the hub.

One round per service: PollForData; translate every document of the result (no I/O); keep
every document whole in the hub's store in one transaction, a document that cannot be
translated (breaks the contract, carries no canonical message, or trips a bug) as a dead
letter with its raw XML, root element, reason and the poll-result id (``hub.intake``);
publish the canonical messages (blocks until the hub's broker confirmed); only then
AcknowledgePoll with the poll-result id. Repeat until the datahub answers nil.

Nothing is acknowledged that is not kept: a crash before the poll ack leaves the result with
the datahub, which hands it out again, and the intake recognises every document already
kept, so none is published or dead-lettered twice. A poll result can only be acknowledged
whole (a partial or negative poll ack is not allowed), which is why a bad document must be
kept rather than refused. ``gridhub dlq replay`` translates a dead letter again.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog
from lxml import etree

from connectors.elhub import acknowledgement, documents, emif, polling
from connectors.elhub.soapclient import ElhubClient
from hub.toolkit import (
    Background,
    ConfigurationError,
    Intake,
    Received,
)
from hub.toolkit import parse_xml as parse
from schemas.envelope import Envelope

log = structlog.get_logger("gridhub.elhub.poller")
MAX_ROUNDS = 1000  # per service and wake-up: a bound, not a limit anyone should meet


@dataclass(frozen=True)
class Sent:
    """What we sent under a document id, so its acknowledgement finds its case."""

    case_id: str
    message_id: str
    gsrn: str | None


class Poller(Background):
    def __init__(self, client: ElhubClient, publish: Callable[[Sequence[Envelope]], None], *,
                 sender: str, recipient: str, interval: float,
                 sent: Callable[[str], Sent | None], intake: Intake | None) -> None:
        super().__init__("elhub-poller")
        self.client = client
        self._publish = publish
        self.sender, self.recipient = sender, recipient
        self.interval = interval
        self._sent = sent
        self._intake = intake
        self.published = 0
        self.dead_lettered = 0

    @property
    def intake(self) -> Intake:
        if self._intake is None:
            raise ConfigurationError("the elhub poller keeps every polled document in the "
                                     "hub's store before it acknowledges the poll, and was "
                                     "given no store", where="connectors.elhub.poll_interval")
        return self._intake

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
        total = self.recover()
        for _ in range(MAX_ROUNDS):
            found = self._poll(service)
            if found is None:
                break
            received = [self._translate(d) for d in found.documents]
            total += self._keep_and_publish(service.name, found.result_id, received)
            self._acknowledge(service, found.result_id)
            if self._stop.is_set():
                break
        return total

    def recover(self) -> int:
        """Publish documents kept before but never published (a crash in between)."""
        total = 0
        for left in self.intake.unsettled():
            document = parse(left.body, where="kept elhub document")
            total += self._keep_and_publish("recovery", left.batch, [self._translate(document)])
        return total

    def _keep_and_publish(self, service: str, batch: str, received: list[Received]) -> int:
        kept = self.intake.keep(batch, received)  # durable: before any ack to the datahub
        for r, dl_id in kept.dead_letters:
            log.warning("elhub.poll_document_dead_lettered", service=service, poll_id=batch,
                        root=r.root, document_id=r.document_id, dead_letter=dl_id,
                        error=type(r.error).__name__, reason=str(r.error)[:300])
        messages = [m for r in kept.to_publish for m in r.messages]
        if messages:
            self._publish(messages)
        self.intake.published(kept.to_publish)
        self.published += len(messages)
        self.dead_lettered += len(kept.dead_letters)
        return len(messages)

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

    def _translate(self, document: etree._Element) -> Received:
        """The document whole, and its messages or why there are none. Any error is kept
        with the document: one bad document must not hold up the poll results after it."""
        body = etree.tostring(document, encoding="UTF-8", with_tail=False)
        root = etree.QName(document).localname
        doc_id = (document.findtext(f"*/{{{emif.ABIE}}}Identification") or "").strip() or None
        try:
            return Received(body, root, doc_id, tuple(self._one(document)))
        except Exception as exc:
            return Received(body, root, doc_id, error=exc)

    def _one(self, document: etree._Element) -> list[Envelope]:
        if document.tag != documents.ACK:
            return documents.to_canonical(document)
        ack = acknowledgement.read(document)
        sent = self._sent(ack.original_id)
        return [acknowledgement.to_envelope(
            ack, case_id=sent.case_id if sent else None, gsrn=sent.gsrn if sent else None,
            original_message_id=sent.message_id if sent else None)]
