"""One inbound interchange: stored, read, published, then answered (CONTRL, APERAK).

Order (nothing is acknowledged before it is stored): the inbox has archived the file whole;
the interchange is read; its canonical messages are published (the call returns once the
hub's broker confirmed them); only then go the CONTRL and, per PRODAT, the APERAK; only then is
the file taken out of the inbox. A crash in between reads the file again: the message ids are
derived from the interchange, so the hub drops what it already has.

An interchange that cannot be read becomes ``market.interchange.rejected`` (the raw text whole,
for the dead-letter store) and gets a negative CONTRL with the syntax error code, when its UNB
can be read at all. A PRODAT that breaks the guide gets a negative APERAK per object. A CONTRL
or APERAK to something we sent becomes ``market.acknowledged`` for the case of that message.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import structlog

from connectors.ediel import acks, codes, documents, syntax
from connectors.ediel.sentlog import SentLog
from connectors.ediel.syntax import EdifactError, Interchange, Message
from connectors.ediel.transport import Received
from hub.toolkit import InvalidMessage
from schemas.envelope import Envelope
from schemas.message_types import MessageType as M

log = structlog.get_logger("gridhub.ediel.inbound")
Send = Callable[[Interchange], None]


class InboundHandler:
    def __init__(self, publish: Callable[[Sequence[Envelope]], None], send: Send, *,
                 own_ids: set[str], sent: SentLog, max_bytes: int | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.publish, self.send = publish, send
        self.own_ids = own_ids
        self.sent = sent
        self.max_bytes = max_bytes
        self.clock = clock
        self._counter = 0

    def handle(self, received: Received) -> None:
        try:
            interchange = syntax.read(received.raw, max_bytes=self.max_bytes)
            if interchange.recipient.id not in self.own_ids:
                raise EdifactError(f"addressed to {interchange.recipient.id}, not to us "
                                   f"({', '.join(sorted(self.own_ids))})", where="UNB S003",
                                   code=str(codes.get("contrl", "errors", "recipient")))
        except EdifactError as exc:
            self._unreadable(received, exc)
            return
        received_at = self.clock()
        answers: list[Interchange] = []
        envelopes = self._acknowledgements(interchange)
        for message, found, outcomes in self._business(interchange, received):
            envelopes += found
            if message.type == "PRODAT":
                answers.append(acks.aperak_prodat(interchange, message, outcomes,
                                                  reference=self._reference(),
                                                  now=self.clock(), received_at=received_at))
        if envelopes:
            self.publish(envelopes)  # returns once the broker has them
        if interchange.ack_requested:
            self.send(acks.contrl(interchange, reference=self._reference(), now=self.clock()))
        for answer in answers:
            self.send(answer)
        log.info("ediel.received", file=received.name, sender=interchange.sender.id,
                 reference=interchange.reference, messages=len(interchange.messages),
                 published=len(envelopes))

    def _business(self, interchange: Interchange, received: Received
                  ) -> list[tuple[Message, list[Envelope], list[acks.Outcome]]]:
        results = []
        for message in interchange.messages:
            if message.type not in ("PRODAT", "UTILTS"):
                continue
            one = Interchange(interchange.sender, interchange.recipient, interchange.reference,
                              interchange.prepared, messages=[message],
                              decimal=interchange.decimal)
            try:
                [(_, found)] = documents.business_messages(one)
            except InvalidMessage as exc:
                log.warning("ediel.message_refused", file=received.name,
                            message=message.reference, error=str(exc)[:300])
                results.append((message, [self._rejected(received, exc, interchange)],
                                [_negative(exc)]))
                continue
            results.append((message, found, [
                acks.Outcome(e.payload.get("metering_point", ""),
                             e.payload.get("case_reference", "")) for e in found]))
        return results

    def _acknowledgements(self, interchange: Interchange) -> list[Envelope]:
        found: list[Envelope] = []
        for message in interchange.messages:
            if message.type not in ("CONTRL", "APERAK"):
                continue
            try:
                ack = acks.read(message)
            except InvalidMessage as exc:
                log.warning("ediel.ack_unreadable", error=str(exc))
                continue
            envelope = self.sent.acknowledged(ack, self.clock())
            if envelope is None:
                log.warning("ediel.ack_unmatched", kind=ack.kind, document=ack.document_id,
                            reference=ack.interchange_reference)
            else:
                found.append(envelope)
        return found

    def _unreadable(self, received: Received, exc: EdifactError) -> None:
        log.warning("ediel.unreadable", file=received.name, error=str(exc)[:300])
        header = syntax.peek(received.raw)
        self.publish([self._rejected(received, exc, header)])
        if header is not None and header.recipient.id in self.own_ids:
            self.send(acks.contrl(header, reference=self._reference(), now=self.clock(),
                                  error_code=exc.code, error_segment=_tag(exc.where)))

    def _rejected(self, received: Received, exc: InvalidMessage,
                  header: Interchange | None) -> Envelope:
        limit = 1_000_000  # the broker carries at most this much; the archive has it all
        raw = received.raw[:limit].decode("iso-8859-1")
        payload = {"raw": raw, "archived_as": str(received.archived), "error": exc.message,
                   "where": exc.where, "syntax_error_code": getattr(exc, "code", None),
                   "sender": header.sender.id if header else None,
                   "interchange_reference": header.reference if header else None}
        key = f"{received.name}/{hashlib.sha256(received.raw).hexdigest()}"
        case_id = f"ediel-{header.reference}" if header else f"ediel-{received.name}"[:64]
        return Envelope(message_id=documents.derived_id("rejected", key), case_id=case_id,
                        type=M.MARKET_INTERCHANGE_REJECTED, source=documents.SOURCE,
                        payload={k: v for k, v in payload.items() if v is not None})

    def _reference(self) -> str:
        self._counter = (self._counter + 1) % 1000
        return f"G{self.clock():%y%m%d%H%M}{self._counter:03d}"


def _negative(exc: InvalidMessage) -> acks.Outcome:
    missing = "missing" in exc.message or "no " in exc.message
    field = "".join(ch for ch in (exc.where or "") if ch.isdigit())[:3]
    return acks.Outcome("", "", "41" if missing else "42", field)


def _tag(where: str | None) -> str:
    if where and "(" in where:
        return where.split("(")[1][:3]
    return ""
