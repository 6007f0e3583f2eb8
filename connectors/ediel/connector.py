"""The ediel connector: the Swedish market side (PRODAT, UTILTS, CONTRL, APERAK over Ediel).

Outbound (deliver):
    meteringvalues.collected   -> UTILTS E66 T (a day's hourly or quarter-hour values)
    meteringvalues.monthly     -> UTILTS E66 S (a month's readings)
    supply.start.confirmed     -> PRODAT Z04;   supply.end.confirmed -> PRODAT Z05
    supply.registered          -> (a start at a point not in operation) kept until its meter
                                  is mounted; returns [supply.start.confirmed] once it is
    meteringpoint.updated      -> (event new) the point is in operation; returns the
                                  supply.start.confirmed that waited for it, if one did; a
                                  production point's (E18) Z04 and values say production
    market.acknowledged        -> rejected or missing: TargetRejected with the code (a dead
                                  letter; its case on hold); accepted: nothing to do
    market.interchange.rejected -> InvalidMessage (the raw interchange into the dead letters)
Inbound (start()): the gateway directory, every ``poll_interval`` seconds; see inbound.py.

Settings (routes.yaml ``connectors.ediel.settings``):
    grid_owners:    [{name, ediel_id: "54321", grid_areas: [XYZ]}]   our Ediel-ids and areas
    addresses:      {"12345": "12345@ediel.example"}   Ediel-id -> mail address (address register)
    suppliers:      {"<anläggnings-id>": "12345"}   who supplies a point, when neither the
                                                    payload nor our Z04/Z05 traffic says
    state:          the connector's state file (default: ediel-state.sqlite beside inbox)
    smtp_host, smtp_port, smtp_sender, smtp_username, smtp_password, smtp_starttls, timeout
    inbox, archive: directories (the gateway fills inbox; files are archived before reading)
    poll_interval:  seconds (5; 0 = no polling)     codes: a corrected codes.yaml
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import structlog

from connectors.ediel import codes, documents, syntax
from connectors.ediel.inbound import InboundHandler
from connectors.ediel.parties import GridOwner, grid_owners
from connectors.ediel.sentlog import Sent, SentLog
from connectors.ediel.state import EdielState
from connectors.ediel.supply import SupplyRegister
from connectors.ediel.syntax import Interchange
from connectors.ediel.transport import DirectoryInbox, SmtpOutbox
from hub.toolkit import Background, Connector, Inbound, InvalidMessage, RemoteFault, TargetRejected
from schemas.envelope import Envelope
from schemas.message_types import MessageType as M

log = structlog.get_logger("gridhub.ediel")


class EdielConnector(Connector):
    name: ClassVar[str] = "ediel"

    def __init__(self, settings: Mapping[str, Any], inbound: Inbound) -> None:
        super().__init__(settings, inbound)
        if self.settings.get("codes"):
            codes.use(Path(str(self.settings["codes"])))
        self.grid_owners = grid_owners(self.settings.get("grid_owners"))
        self.suppliers: dict[str, str] = {str(k): str(v) for k, v in
                                          (self.settings.get("suppliers") or {}).items()}
        self.outbox = SmtpOutbox(
            host=str(self.settings.get("smtp_host", "127.0.0.1")),
            port=int(self.settings.get("smtp_port", 25)),
            sender=str(self.settings.get("smtp_sender", "ediel@gridhub.invalid")),
            addresses={str(k): str(v) for k, v in
                       (self.settings.get("addresses") or {}).items()},
            timeout=float(self.settings.get("timeout", 30)),
            username=self.settings.get("smtp_username") or None,
            password=self.settings.get("smtp_password") or None,
            starttls=bool(self.settings.get("smtp_starttls", False)))
        inbox = self.settings.get("inbox")
        state = self.settings.get("state") or (
            Path(str(inbox)).with_name("ediel-state.sqlite") if inbox else None)
        self.state = EdielState(Path(str(state)) if state else None)
        self.sent = SentLog(timedelta(minutes=float(codes.get("envelope",
                                                              "ack_deadline_minutes"))),
                            self.state)
        self.supply = SupplyRegister(self.state, self.grid_owners[0].grid_areas[0])
        self.handler = InboundHandler(self._publish_inbound, self._send,
                                      own_ids={g.ediel_id for g in self.grid_owners},
                                      sent=self.sent,
                                      max_bytes=int(self.settings.get("max_bytes") or
                                                    codes.get("envelope", "max_bytes")))
        self.inbox = DirectoryInbox(Path(str(inbox)), Path(str(
            self.settings.get("archive") or Path(str(inbox)).with_name("archive")))) \
            if inbox else None
        interval = float(self.settings.get("poll_interval", 5))
        self.poller = _Poller(self, interval) if self.inbox is not None and interval > 0 \
            else None

    # -- outbound ------------------------------------------------------------------------------

    def deliver(self, message: Envelope) -> Sequence[Envelope]:
        if message.type == M.MARKET_ACKNOWLEDGED:
            _acknowledgement_outcome(message)
            return []
        if message.type == M.MARKET_INTERCHANGE_REJECTED:
            raise InvalidMessage(str(message.payload.get("error", "unreadable interchange")),
                                 where=f"ediel inbound {message.payload.get('archived_as')}")
        if message.type == M.SUPPLY_REGISTERED:
            return self.supply.registered(message)
        if message.type == M.METERINGPOINT_UPDATED:
            return self.supply.meter_mounted(message)
        if message.type in (M.SUPPLY_START_CONFIRMED, M.SUPPLY_END_CONFIRMED):
            self.supply.sent(message)
        now = datetime.now(UTC)
        point = str(message.payload.get("gsrn") or message.payload.get("metering_point") or "")
        interchange = documents.to_interchange(message, self._addressing(message), now,
                                               point_type=self.state.type_of(point))
        # remembered before it leaves: an answer can come back before _send returns, and a
        # crash after sending must not leave the answer without its message
        self.sent.remember(Sent(message.message_id, message.case_id, interchange.reference,
                                documents.document_id_of(message.message_id), now))
        try:
            self._send(interchange)
        except BaseException:
            self.sent.forget(interchange.reference)  # not sent: nothing to wait for
            raise
        return []

    def _addressing(self, message: Envelope) -> documents.Addressing:
        owner = self._owner(message.payload.get("grid_area"))
        point = str(message.payload.get("gsrn") or message.payload.get("metering_point") or "")
        day = str(message.payload.get("day") or message.payload.get("month") or "")
        recipient = documents.recipient_of(message) or \
            (self.supply.supplier_on(point, day) if day else None) or self.suppliers.get(point)
        if not recipient:
            raise InvalidMessage(f"no supplier known for metering point {point} on {day}: the "
                                 "payload names none, no Z04/Z05 of ours says who supplied "
                                 "it then, and settings.suppliers has none",
                                 where="payload.supplier")
        area = str(message.payload.get("grid_area") or owner.grid_areas[0])
        return documents.Addressing(owner.ediel_id, area, recipient,
                                    str(codes.get("roles", "supplier")))

    def _owner(self, grid_area: object) -> GridOwner:
        for owner in self.grid_owners:
            if grid_area in owner.grid_areas:
                return owner
        return self.grid_owners[0]

    def _send(self, interchange: Interchange) -> None:
        raw = syntax.write(interchange)
        family = interchange.messages[0].type if interchange.messages else "EDIFACT"
        self.outbox.send(interchange.recipient.id, raw,
                         f"{family} {interchange.sender.id} {interchange.recipient.id} "
                         f"{interchange.reference}")

    # -- inbound -------------------------------------------------------------------------------

    def _publish_inbound(self, messages: Sequence[Envelope]) -> None:
        self.inbound.publish(messages)

    def poll_once(self) -> int:
        """Read what the gateway left, and report overdue acknowledgements; files handled."""
        handled = 0
        if self.inbox is not None:
            for received in self.inbox.take():
                self.handler.handle(received)
                self.inbox.done(received)
                handled += 1
        overdue = self.sent.overdue(datetime.now(UTC))
        if overdue:
            try:
                self.inbound.publish(overdue)
            except Exception:  # not in the hub: reported again on the next round
                self.sent.reopen(overdue)
                raise
        return handled

    def start(self) -> None:
        if self.poller is not None:
            self.poller.start()

    def stop(self) -> None:
        if self.poller is not None:
            self.poller.stop()

    # -- translation (no I/O) ------------------------------------------------------------------

    @classmethod
    def to_canonical(cls, document: bytes) -> list[Envelope]:
        return documents.to_canonical(document)

    @classmethod
    def to_wire(cls, message: Envelope) -> bytes:
        recipient = documents.recipient_of(message) or "12345"
        to = documents.Addressing("54321", str(message.payload.get("grid_area") or "XYZ"),
                                  recipient)
        return syntax.write(documents.to_interchange(message, to, message.occurred_at))


def _acknowledgement_outcome(message: Envelope) -> None:
    status = message.payload.get("status")
    if status == "accepted":
        return
    found = ", ".join(message.payload.get("codes") or [])
    kind = str(message.payload.get("kind", "")).upper()
    remote = RemoteFault(kind="ediel-ack", status=found or "missing",
                         message=message.payload.get("text"),
                         details={"kind": message.payload.get("kind"),
                                  "original_message": message.payload.get(
                                      "original_message_id"),
                                  "interchange": message.payload.get("interchange_reference"),
                                  "document": message.payload.get("document_id")})
    if status == "missing":
        raise TargetRejected(f"no APERAK by {message.payload.get('deadline')}: the partner "
                             "must be asked within three working days",
                             where="ediel acknowledgement", remote=remote)
    raise TargetRejected(f"the partner rejected our interchange ({kind} {found})",
                         where="ediel acknowledgement", remote=remote)


class _Poller(Background):
    def __init__(self, connector: EdielConnector, interval: float) -> None:
        super().__init__("ediel-inbox")
        self.connector, self.interval = connector, interval

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.connector.poll_once()
            except Exception as exc:  # a broker or mail outage: the files stay, try again
                log.warning("ediel.poll_failed", error=str(exc)[:300],
                            retry_in_s=self.interval)
            self._stop.wait(self.interval)
