"""The nis connector class: network information over XML/HTTP.

Outbound (deliver):
    griddata.requested      -> POST {url}/griddata      -> returns [griddata.answered]
    installation.registered -> POST {url}/installations -> returns []
Inbound (polled): the grid owner's preparation of a case (beredning, seed 000 §7) from
POST {url}/projects/events -> case.sidetrack.updated (track preparation).

Settings: :class:`NisSettings` below. Calls go through the toolkit's HttpClient (time-outs,
size cap, no redirects) and its classifier; the NIS's Error document (Code, Text) is read
through the mapping and kept in the remote fault.
The project feed (poll_interval seconds between reads, 0: not read; the cursor in
state_dir, else in memory) reports the preparation steps of cases that need grid work.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from connectors.nis import codec, projects
from connectors.nis.contract import XSD_PATH
from connectors.nis.wire import MAPPING_PATH, NisWire
from hub.toolkit import (
    Connector,
    CursorStore,
    EventBatch,
    EventPoller,
    HttpSettings,
    HttpUrl,
    Inbound,
    Interval,
    InvalidMessage,
    OptionalPath,
)
from hub.toolkit import parse_xml as parse
from schemas.envelope import Envelope
from schemas.message_types import MessageType

CONTENT_TYPE = "application/xml; charset=utf-8"


class NisSettings(HttpSettings):
    """routes.yaml ``connectors.nis.settings``; credentials as ${ENV}."""

    WHERE: ClassVar[str] = "connectors.nis.settings"
    url: HttpUrl  # the NIS base url
    mapping: Path = MAPPING_PATH  # a grid owner's own mapping file and contract
    xsd: Path = XSD_PATH
    poll_interval: Interval = 30.0  # seconds between reads of the project feed; 0: not read
    state_dir: OptionalPath = None  # where the feed cursor is kept (else in memory)


M = MessageType


class NisConnector(Connector):
    name = "nis"

    def __init__(self, settings: Mapping[str, Any], inbound: Inbound) -> None:
        super().__init__(settings, inbound)
        self.config = config = NisSettings.parse(self.settings)
        self.wire = NisWire(config.mapping, config.xsd)
        self.client = config.http_client(config.url, target="NIS", error_detail=self._error_of)
        store = CursorStore(config.state_dir / "nis-cursor.json" if config.state_dir else None)
        self.poller = EventPoller(self.fetch_events, inbound, store,
                                  interval=config.poll_interval, name="nis") \
            if config.poll_interval > 0 else None

    def fetch_events(self, cursor: str | None, batch: int) -> EventBatch:
        """One read of the project feed after ``cursor``."""
        path = "/projects/events"
        answer = parse(self.client.post(path, projects.events_request(cursor, batch),
                                        content_type=CONTENT_TYPE,
                                        headers={"Accept": "application/xml"}).body,
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
        answer = self.client.post(path, codec.to_wire(message, self.wire),
                                  content_type=CONTENT_TYPE,
                                  headers={"Accept": "application/xml"}).body
        where = f"nis answer from {self.client.base_url}{path}"
        if message.type == M.GRID_DATA_REQUESTED:
            return [codec.answer_from_wire(message, answer, self.wire, where=where)]
        self.wire.read(answer_kind, answer, where=where)  # a receipt that breaks the contract
        return []

    def reachable(self) -> bool:
        return self.client.reachable()

    def _error_of(self, body: bytes) -> tuple[str | None, dict[str, Any]]:
        """"Code Text" of an Error document (read through the mapping) and its code."""
        try:
            root = parse(body, where="NIS error body")
            if self.wire.kind_of(root) != "Error":
                return None, {}
            _, data = self.wire.read("Error", root, where="NIS error body")
        except InvalidMessage:
            return None, {}
        code, text = data.get("code"), data.get("text")
        return (f"{code} {text}" if code else None), ({"nis_code": code} if code else {})

    def translate_in(self, document: bytes) -> list[Envelope]:
        """With the mapping and contract of the settings, as the running hub reads."""
        return codec.to_canonical(document, self.wire)

    def translate_out(self, message: Envelope) -> bytes:
        return codec.to_wire(message, self.wire)

    @classmethod
    def to_canonical(cls, document: bytes) -> list[Envelope]:
        return codec.to_canonical(document, NisWire.default())

    @classmethod
    def to_wire(cls, message: Envelope) -> bytes:
        return codec.to_wire(message, NisWire.default())
