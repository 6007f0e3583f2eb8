"""The metering connector: work orders out over HTTP, the coordinator's events in over AMQP
or, where gridhub cannot reach the coordinator's broker, from its HTTP event feed.

Settings: see :mod:`connectors.metering.settings`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar
from urllib.parse import quote

from connectors.metering import wire
from connectors.metering.client import EVENTS, WORKORDERS, CoordinatorClient
from connectors.metering.events import EventConsumer, Topology
from connectors.metering.settings import MeteringSettings
from hub.toolkit import (
    ConfigurationError,
    Connector,
    CursorStore,
    EventBatch,
    EventPoller,
    Inbound,
    InvalidMessage,
    SetAside,
    idempotency_key,
)
from schemas.envelope import Envelope
from schemas.message_types import MessageType
from schemas.payloads import WorkOrderEvent

INSTRUCTION_SCHEMA = "workorder-instruction"
_TAKES = {MessageType.WORKORDER_REQUESTED: "create",
          MessageType.WORKORDER_RELEASE_REQUESTED: "release",
          MessageType.WORKORDER_CANCEL_REQUESTED: "cancel"}


class MeteringConnector(Connector):
    name: ClassVar[str] = "metering"

    def __init__(self, settings: Mapping[str, Any], inbound: Inbound) -> None:
        super().__init__(settings, inbound)
        self.config = config = MeteringSettings.parse(self.settings)
        self._client = CoordinatorClient(config) if config.base_url else None
        self.consumer: EventConsumer | None = None
        self.poller: EventPoller | None = None
        if config.feed:
            self.poller = self._feed_poller()
        elif config.amqp_url and config.exchange and config.queue:
            topology = Topology(config.exchange, config.queue, config.routing_key,
                                config.prefetch)
            self.consumer = EventConsumer(config.amqp_url, topology, self.translate_event,
                                          self.inbound.publish, retry_pause=config.retry_pause)

    def _feed_poller(self) -> EventPoller:
        state_dir = self.config.state_dir
        store = CursorStore(state_dir / "metering-cursor.json" if state_dir else None)
        return EventPoller(self.fetch_events, self.inbound, store, name="metering",
                           interval=self.config.events_poll_interval,
                           batch=self.config.events_batch)

    def fetch_events(self, cursor: str | None, batch: int) -> EventBatch:
        """One read of the coordinator's feed after ``cursor``. A bad entry (no integer seq) or
        a bad event is set aside whole for the dead-letter store; the feed moves on."""
        assert self._client is not None
        answer = self._client.get(f"{EVENTS}?after={int(cursor or 0)}&limit={batch}")
        where = f"GET {self._client.base_url}{EVENTS} answer"
        if not isinstance(answer, dict) or not isinstance(answer.get("events"), list):
            raise InvalidMessage("the answer is not an object with an events list", where=where)
        out = EventBatch(next_cursor=cursor)
        for index, item in enumerate(answer["events"]):
            body = json.dumps(item, ensure_ascii=False).encode("utf-8")
            seq = item.get("seq") if isinstance(item, dict) else None
            if not isinstance(seq, int) or isinstance(seq, bool):
                out.set_aside.append(SetAside(f"feed entry {index + 1} after {cursor or 0}", body,
                                              InvalidMessage(
                                                  f"a feed entry is an object with an integer "
                                                  f"seq, got {seq!r}",
                                                  where=f"{where}: events[{index}].seq")))
                continue
            event = item.get("event")
            try:
                out.messages.extend(self.translate_event(json.dumps(event).encode()))
            except InvalidMessage as exc:
                event_id = event.get("eventId") if isinstance(event, dict) else None
                out.set_aside.append(SetAside(str(event_id or f"seq {seq}"), body, exc))
            out.next_cursor = str(seq)
        return out

    # -- outbound ------------------------------------------------------------------------------

    def deliver(self, message: Envelope) -> Sequence[Envelope]:
        """workorder.requested -> POST /api/v1/workorders; the answer is workorder.created.
        workorder.release.requested / workorder.cancel.requested -> POST
        /api/v1/workorders/{id}/release|cancel; what follows comes as the coordinator's
        events (a CANCELLED event for an order it cancelled)."""
        if message.type not in _TAKES:
            raise InvalidMessage(f"metering takes {', '.join(_TAKES)}, not {message.type}",
                                 where="type")
        if self._client is None:
            raise ConfigurationError("base_url is not set",
                                     where=f"{MeteringSettings.WHERE}.base_url")
        if message.type != MessageType.WORKORDER_REQUESTED:
            self._instruct(message)
            return []
        doc = wire.to_document(message)
        answer = self._client.post(WORKORDERS, doc, idempotency_key=idempotency_key(message))
        where = f"POST {self._client.base_url}{WORKORDERS} answer"
        if not isinstance(answer, dict):
            raise InvalidMessage("the answer is not a JSON object", where=where)
        wire.validate(answer, wire.schema_of(wire.RESOURCE), where=where)
        payload = wire.mapper().read(wire.RESOURCE, answer)
        created = message.derive(MessageType.WORKORDER_CREATED, self.name, payload,
                                 payload["workorder_id"])
        wire.parse_payload(created)
        return [created]

    def _instruct(self, message: Envelope) -> None:
        assert self._client is not None
        payload = wire.parse_payload(message)
        assert isinstance(payload, WorkOrderEvent)
        instruction = _TAKES[MessageType(message.type)]
        doc: dict[str, Any] = {"requestId": message.message_id,
                               "requestedAt": payload.at.isoformat()}
        if payload.comment:
            doc["comment"] = payload.comment
        path = f"{WORKORDERS}/{quote(payload.workorder_id, safe='')}/{instruction}"
        wire.validate(doc, INSTRUCTION_SCHEMA, where=f"{message.type} -> POST {path}")
        answer = self._client.post(path, doc, idempotency_key=message.message_id)
        if not isinstance(answer, dict):
            raise InvalidMessage("the answer is not a JSON object",
                                 where=f"POST {self._client.base_url}{path} answer")

    # -- translation (no I/O) ------------------------------------------------------------------

    @classmethod
    def to_canonical(cls, document: bytes) -> list[Envelope]:
        return wire.to_canonical(document)

    @classmethod
    def to_wire(cls, message: Envelope) -> bytes:
        return wire.to_wire(message)

    @staticmethod
    def translate_event(body: bytes) -> list[Envelope]:
        """One AMQP event body -> its canonical message; InvalidMessage if it is bad."""
        doc = wire.parse_json(body, where="metering event")
        if not isinstance(doc, dict) or "eventType" not in doc:
            raise InvalidMessage("an event is a JSON object with an eventType",
                                 where="metering event")
        return [wire.to_envelope(doc, where="metering event")]

    # -- inbound -------------------------------------------------------------------------------

    def start(self) -> None:
        if self.consumer is not None:
            self.consumer.start()
        if self.poller is not None:
            self.poller.start()

    def stop(self) -> None:
        if self.consumer is not None:
            self.consumer.stop()
        if self.poller is not None:
            self.poller.stop()

    def reachable(self) -> bool:
        return self._client.reachable() if self._client is not None else True
