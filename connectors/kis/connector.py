"""The kis connector class: customer information and billing over SOAP 1.1.

Outbound (deliver):
    facility.lookup.requested -> LookupFacility   -> returns [facility.lookup.answered]
    customer.registered       -> RegisterCustomer -> returns [case.sidetrack.updated]
    tariff.change.requested   -> ChangeTariff     -> returns [case.sidetrack.updated]
    customer.ended            -> EndCustomer      -> returns [case.sidetrack.updated]
    customer.registered       -> RegisterCustomer -> returns []
    supply.start.notified, supply.end.notified
                              -> RegisterSupplyChange -> returns [supply.registered]
Inbound (poller started by start()):
    GetEvents -> billing.updated (not billable, quote sent/ordered, invoiced, paid)

Settings: :class:`KisSettings` below.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from connectors.kis import codec
from connectors.kis.client import KisClient
from connectors.kis.contract import XSD_PATH
from connectors.kis.wire import MAPPING_PATH, KisWire, from_soap, to_soap
from hub.toolkit import (
    Connector,
    Count,
    CursorStore,
    EventPoller,
    HttpSettings,
    HttpUrl,
    Inbound,
    Interval,
    InvalidMessage,
    OptionalPath,
)
from schemas.envelope import Envelope
from schemas.message_types import MessageType

M = MessageType


@dataclass(frozen=True)
class _Step:
    """A KIS operation that answers OK/AVVISAD and moves the customer-service side track."""

    operation: str  # its request and response are <operation>Request / <operation>Response
    what: str  # for the refusal: "KIS refused the <what>"
    state: str  # the side track's state once KIS confirmed
    suffix: str  # of the derived message's id


_CUSTOMER_SERVICE: dict[str, _Step] = {
    M.CUSTOMER_REGISTERED: _Step("RegisterCustomer", "registration", "registered_in_kis",
                                 "registered"),
    # Kundservice has done its part for the fuse change: "Färdig från kundservice".
    M.TARIFF_CHANGE_REQUESTED: _Step("ChangeTariff", "tariff change", "done", "tariff"),
    M.CUSTOMER_ENDED: _Step("EndCustomer", "end of the customer", "done", "ended"),
}


class KisSettings(HttpSettings):
    """routes.yaml ``connectors.kis.settings``; credentials as ${ENV}."""

    WHERE: ClassVar[str] = "connectors.kis.settings"
    url: HttpUrl  # the KIS endpoint
    poll_interval: Interval = 30.0  # between GetEvents calls; 0: no polling
    poll_batch: Count = 100  # MaxEvents per call
    cursor_file: OptionalPath = None  # where the cursor is kept, else state_dir/kis-cursor.json,
    state_dir: OptionalPath = None  # else in memory only
    mapping: Path = MAPPING_PATH  # a grid owner's own mapping file and contract
    xsd: Path = XSD_PATH

    @property
    def cursor_path(self) -> Path | None:
        if self.cursor_file is not None:
            return self.cursor_file
        return self.state_dir / "kis-cursor.json" if self.state_dir is not None else None



class KisConnector(Connector):
    name = "kis"

    def __init__(self, settings: Mapping[str, Any], inbound: Inbound) -> None:
        super().__init__(settings, inbound)
        self.config = config = KisSettings.parse(self.settings)
        self.url = config.url
        self.wire = KisWire(config.mapping, config.xsd)
        self.client = KisClient(config.http_client(config.url, target="KIS", soap=True))
        self.poller = EventPoller(self.fetch_events, inbound, CursorStore(config.cursor_path),
                                  interval=config.poll_interval, batch=config.poll_batch,
                                  name="kis")

    # -- outbound --------------------------------------------------------------------------

    def deliver(self, message: Envelope) -> Sequence[Envelope]:
        if message.type == M.FACILITY_LOOKUP_REQUESTED:
            body = codec.to_wire(message, self.wire)
            answer = self.client.call("LookupFacility", body)
            return [codec.answer_from_wire(message, answer, self.wire)]
        step = _CUSTOMER_SERVICE.get(message.type)
        if step is not None:
            answer = self.client.call(step.operation, codec.to_wire(message, self.wire))
            codec.check_registration(answer, self.wire, where=f"kis {step.operation} {self.url}",
                                     kind=f"{step.operation}Response", what=step.what)
            # KIS confirmed: the portal's customer-service symbol may now say so.
            return [message.derive(M.CASE_SIDETRACK_UPDATED, self.name, {
                "track": "customer_service", "state": step.state}, step.suffix)]
        if message.type in (M.SUPPLY_START_NOTIFIED, M.SUPPLY_END_NOTIFIED):
            answer = self.client.call("RegisterSupplyChange", codec.to_wire(message, self.wire))
            return [codec.supply_registered(message, answer, self.wire,
                                            where=f"kis RegisterSupplyChange {self.url}")]
        raise InvalidMessage(f"kis takes facility.lookup.requested, customer.registered, "
                             f"tariff.change.requested, customer.ended and "
                             f"supply.start/end.notified, not {message.type}",
                             where="kis.deliver")

    # -- inbound -----------------------------------------------------------------------------

    def fetch_events(self, cursor: str | None, batch: int) -> codec.EventBatch:
        """One GetEvents call; bad events are set aside, not raised."""
        request = self.wire.write("GetEventsRequest", {"cursor": cursor, "max_events": batch})
        answer = self.client.call("GetEvents", request)
        return codec.events_from_wire(answer, self.wire, strict=False)

    def start(self) -> None:
        if self.poller.interval > 0:
            self.poller.start()

    def stop(self) -> None:
        self.poller.stop()

    def reachable(self) -> bool:
        return self.client.http.reachable()

    # -- translation without I/O -------------------------------------------------------------

    def translate_in(self, document: bytes) -> list[Envelope]:
        """As the running hub reads it: with the mapping and contract of the settings."""
        return codec.to_canonical(from_soap(document, where="kis document"), self.wire)

    def translate_out(self, message: Envelope) -> bytes:
        return to_soap(codec.to_wire(message, self.wire))

    @classmethod
    def to_canonical(cls, document: bytes) -> list[Envelope]:
        return codec.to_canonical(from_soap(document, where="kis document"), KisWire.default())

    @classmethod
    def to_wire(cls, message: Envelope) -> bytes:
        return to_soap(codec.to_wire(message, KisWire.default()))
