"""The kis connector class: customer information and billing over SOAP 1.1.

Outbound (deliver):
    facility.lookup.requested -> LookupFacility   -> returns [facility.lookup.answered]
    customer.registered       -> RegisterCustomer -> returns []
    supply.start.notified, supply.end.notified
                              -> RegisterSupplyChange -> returns [supply.registered]
Inbound (poller started by start()):
    GetEvents -> billing.updated (not billable, quote sent/ordered, invoiced, paid)

Settings (routes.yaml ``connectors.<x>.settings``; credentials as ${ENV}):
    url            KIS endpoint, required
    username, password   HTTP Basic
    timeout        seconds per call (10)
    poll_interval  seconds between GetEvents calls (30; 0 = no polling)
    poll_batch     MaxEvents per call (100)
    cursor_file    where the cursor is kept (or state_dir/kis-cursor.json; else memory only)
    mapping, xsd   a grid owner's own mapping file and contract
"""

from __future__ import annotations

import socket
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from connectors.kis import codec
from connectors.kis.client import KisClient
from connectors.kis.contract import XSD_PATH
from connectors.kis.wire import MAPPING_PATH, KisWire, from_soap, to_soap
from hub.connector import Connector, Inbound
from hub.errors import ConfigurationError, InvalidMessage
from hub.poller import CursorStore, EventPoller
from schemas.envelope import Envelope
from schemas.message_types import MessageType

M = MessageType


class KisConnector(Connector):
    name = "kis"

    def __init__(self, settings: Mapping[str, Any], inbound: Inbound) -> None:
        super().__init__(settings, inbound)
        url = str(self.settings.get("url", ""))
        if urlsplit(url).scheme not in ("http", "https"):
            raise ConfigurationError(f"url must be http(s)://..., got {url!r}",
                                     where="connectors.kis.settings.url")
        self.url = url
        self.timeout = _number(self.settings, "timeout", 10.0)
        self.wire = KisWire(Path(self.settings.get("mapping") or MAPPING_PATH),
                            Path(self.settings.get("xsd") or XSD_PATH))
        self.client = KisClient(url, timeout=self.timeout,
                                username=self.settings.get("username"),
                                password=self.settings.get("password"))
        store = CursorStore(_cursor_path(self.settings))
        self.poller = EventPoller(self.fetch_events, inbound, store,
                                  interval=_number(self.settings, "poll_interval", 30.0),
                                  batch=int(_number(self.settings, "poll_batch", 100)), name="kis")

    # -- outbound --------------------------------------------------------------------------

    def deliver(self, message: Envelope) -> Sequence[Envelope]:
        if message.type == M.FACILITY_LOOKUP_REQUESTED:
            body = codec.to_wire(message, self.wire)
            answer = self.client.call("LookupFacility", body)
            return [codec.answer_from_wire(message, answer, self.wire)]
        if message.type == M.CUSTOMER_REGISTERED:
            body = codec.to_wire(message, self.wire)
            answer = self.client.call("RegisterCustomer", body)
            codec.check_registration(answer, self.wire, where=f"kis RegisterCustomer {self.url}")
            # KIS confirmed: the portal's customer-service symbol may now say so.
            return [message.derive(M.CASE_SIDETRACK_UPDATED, self.name, {
                "track": "customer_service", "state": "registered_in_kis"}, "registered")]
        if message.type in (M.SUPPLY_START_NOTIFIED, M.SUPPLY_END_NOTIFIED):
            answer = self.client.call("RegisterSupplyChange", codec.to_wire(message, self.wire))
            return [codec.supply_registered(message, answer, self.wire,
                                            where=f"kis RegisterSupplyChange {self.url}")]
        raise InvalidMessage(f"kis takes facility.lookup.requested, customer.registered and "
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
        parts = urlsplit(self.url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            with socket.create_connection((parts.hostname or "", port), timeout=2):
                return True
        except OSError:
            return False

    # -- translation without I/O -------------------------------------------------------------

    @classmethod
    def to_canonical(cls, document: bytes) -> list[Envelope]:
        return codec.to_canonical(from_soap(document, where="kis document"), KisWire.default())

    @classmethod
    def to_wire(cls, message: Envelope) -> bytes:
        return to_soap(codec.to_wire(message, KisWire.default()))


def _number(settings: Mapping[str, Any], key: str, default: float) -> float:
    raw = settings.get(key, default)
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ConfigurationError(f"{key} must be a number, got {raw!r}",
                                 where=f"connectors.kis.settings.{key}") from None
    if value < 0:
        raise ConfigurationError(f"{key} must not be negative",
                                 where=f"connectors.kis.settings.{key}")
    return value


def _cursor_path(settings: Mapping[str, Any]) -> Path | None:
    if settings.get("cursor_file"):
        return Path(settings["cursor_file"])
    if settings.get("state_dir"):
        return Path(settings["state_dir"]) / "kis-cursor.json"
    return None
