"""The nis connector class: network information over XML/HTTP.

Outbound (deliver):
    griddata.requested      -> POST {url}/griddata      -> returns [griddata.answered]
    installation.registered -> POST {url}/installations -> returns []
Inbound (polled): the grid owner's preparation of a case (beredning, seed 000 §7) from
POST {url}/projects/events -> case.sidetrack.updated (track preparation).

Settings (routes.yaml ``connectors.<x>.settings``; credentials as ${ENV}):
    url                 NIS base url, required
    username, password  HTTP Basic
    timeout             seconds per call (10)
    poll_interval       seconds between reads of the project feed (30; 0: not read)
    state_dir           where the feed cursor is kept (else in memory)
    mapping, xsd        a grid owner's own mapping file and contract
"""

from __future__ import annotations

import socket
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from connectors.nis import codec, projects
from connectors.nis.client import NisClient
from connectors.nis.contract import XSD_PATH
from connectors.nis.wire import MAPPING_PATH, NisWire
from hub.connector import Connector, Inbound
from hub.errors import ConfigurationError, InvalidMessage
from hub.poller import CursorStore, EventBatch, EventPoller
from hub.xmlsafe import parse
from schemas.envelope import Envelope
from schemas.message_types import MessageType

M = MessageType


class NisConnector(Connector):
    name = "nis"

    def __init__(self, settings: Mapping[str, Any], inbound: Inbound) -> None:
        super().__init__(settings, inbound)
        url = str(self.settings.get("url", ""))
        if urlsplit(url).scheme not in ("http", "https"):
            raise ConfigurationError(f"url must be http(s)://..., got {url!r}",
                                     where="connectors.nis.settings.url")
        self.url = url
        self.timeout = _timeout(self.settings)
        self.wire = NisWire(Path(self.settings.get("mapping") or MAPPING_PATH),
                            Path(self.settings.get("xsd") or XSD_PATH))
        self.client = NisClient(url, timeout=self.timeout,
                                username=self.settings.get("username"),
                                password=self.settings.get("password"),
                                error_reader=self._error_of)
        interval = float(self.settings.get("poll_interval", 30))
        state_dir = self.settings.get("state_dir")
        store = CursorStore(Path(state_dir) / "nis-cursor.json" if state_dir else None)
        self.poller = EventPoller(self.fetch_events, inbound, store, interval=interval,
                                  name="nis") if interval > 0 else None

    def fetch_events(self, cursor: str | None, batch: int) -> EventBatch:
        """One read of the project feed after ``cursor``."""
        path = "/projects/events"
        answer = parse(self.client.post(path, projects.events_request(cursor, batch)),
                       where=f"nis answer from {self.client.base_url}{path}")
        self.wire.contract.validate(answer, where=f"nis answer from {path}")
        return projects.events_from(answer, cursor)

    def start(self) -> None:
        if self.poller is not None:
            self.poller.start()

    def stop(self) -> None:
        if self.poller is not None:
            self.poller.stop()

    def deliver(self, message: Envelope) -> Sequence[Envelope]:
        if message.type not in (M.GRID_DATA_REQUESTED, M.INSTALLATION_REGISTERED):
            raise InvalidMessage(f"nis takes griddata.requested and installation.registered, "
                                 f"not {message.type}", where="nis.deliver")
        kind = codec.kind_for(message)
        path, answer_kind = self.wire.resource(kind)
        answer = self.client.post(path, codec.to_wire(message, self.wire))
        where = f"nis answer from {self.client.base_url}{path}"
        if message.type == M.GRID_DATA_REQUESTED:
            return [codec.answer_from_wire(message, answer, self.wire, where=where)]
        self.wire.read(answer_kind, answer, where=where)  # a receipt that breaks the contract
        return []

    def reachable(self) -> bool:
        parts = urlsplit(self.url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            with socket.create_connection((parts.hostname or "", port), timeout=2):
                return True
        except OSError:
            return False

    def _error_of(self, body: bytes) -> tuple[str | None, str | None]:
        """(Code, Text) of an Error document through the mapping; (None, None) otherwise."""
        try:
            root = parse(body, where="NIS error body")
            if self.wire.kind_of(root) != "Error":
                return None, None
            _, data = self.wire.read("Error", root, where="NIS error body")
        except InvalidMessage:
            return None, None
        return data.get("code"), data.get("text")

    @classmethod
    def to_canonical(cls, document: bytes) -> list[Envelope]:
        return codec.to_canonical(document, NisWire.default())

    @classmethod
    def to_wire(cls, message: Envelope) -> bytes:
        return codec.to_wire(message, NisWire.default())


def _timeout(settings: Mapping[str, Any]) -> float:
    raw = settings.get("timeout", 10.0)
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ConfigurationError(f"timeout must be a number, got {raw!r}",
                                 where="connectors.nis.settings.timeout") from None
    if value <= 0:
        raise ConfigurationError("timeout must be positive",
                                 where="connectors.nis.settings.timeout")
    return value
