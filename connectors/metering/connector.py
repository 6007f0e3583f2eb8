"""The metering connector: work orders out over HTTP, the coordinator's events in over AMQP.

Settings (routes.yaml ``connectors.metering.settings``; secrets as ``${ENV}``):

    base_url: http://quant.example:8080     # the coordinator's REST API
    token: ${METERING_TOKEN}                # or username/password (HTTP Basic)
    timeout: 10                             # seconds, every HTTP call
    amqp_url: ${METERING_AMQP_URL}          # the coordinator's own RabbitMQ (optional)
    exchange: quant.events                  # where the coordinator publishes
    queue: gridhub.metering.events          # ours; <queue>.dead keeps the bad events
    routing_key: "#"
    prefetch: 50
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from connectors.metering import wire
from connectors.metering.client import WORKORDERS, CoordinatorClient
from connectors.metering.events import EventConsumer, Topology
from hub.connector import Connector, Inbound
from hub.errors import ConfigurationError, InvalidMessage
from schemas.envelope import Envelope
from schemas.message_types import MessageType


class MeteringConnector(Connector):
    name: ClassVar[str] = "metering"

    def __init__(self, settings: Mapping[str, Any], inbound: Inbound) -> None:
        super().__init__(settings, inbound)
        self._client = CoordinatorClient(self.settings) if self.settings.get("base_url") \
            else None
        self.consumer: EventConsumer | None = None
        amqp_url = self.settings.get("amqp_url")
        if amqp_url:
            for key in ("exchange", "queue"):
                if not self.settings.get(key):
                    raise ConfigurationError(f"{key} is required with amqp_url",
                                             where=f"connectors.metering.settings.{key}")
            topology = Topology(str(self.settings["exchange"]), str(self.settings["queue"]),
                                str(self.settings.get("routing_key", "#")),
                                int(self.settings.get("prefetch", 50)))
            self.consumer = EventConsumer(str(amqp_url), topology, self.translate_event,
                                          self.inbound.publish,
                                          retry_pause=float(self.settings.get("retry_pause",
                                                                              2.0)))

    # -- outbound ------------------------------------------------------------------------------

    def deliver(self, message: Envelope) -> Sequence[Envelope]:
        """workorder.requested -> POST /api/v1/workorders; the answer is workorder.created."""
        if message.type != MessageType.WORKORDER_REQUESTED:
            raise InvalidMessage(f"metering takes {MessageType.WORKORDER_REQUESTED} only, "
                                 f"not {message.type}", where="type")
        if self._client is None:
            raise ConfigurationError("base_url is not set",
                                     where="connectors.metering.settings.base_url")
        doc = wire.to_document(message)
        answer = self._client.post(WORKORDERS, doc, idempotency_key=message.message_id)
        where = f"POST {self._client.base_url}{WORKORDERS} answer"
        if not isinstance(answer, dict):
            raise InvalidMessage("the answer is not a JSON object", where=where)
        wire.validate(answer, wire.schema_of(wire.RESOURCE), where=where)
        payload = wire.mapper().read(wire.RESOURCE, answer)
        created = message.derive(MessageType.WORKORDER_CREATED, self.name, payload,
                                 payload["workorder_id"])
        wire.parse_payload(created)
        return [created]

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

    def stop(self) -> None:
        if self.consumer is not None:
            self.consumer.stop()

    def reachable(self) -> bool:
        return self._client.reachable() if self._client is not None else True
