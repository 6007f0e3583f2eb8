"""Contender (c): the same job the way a Python team would write it with FastStream 0.7.

A pydantic model of the message (the canonical envelope with the case as its payload, so the
case is validated as gridhub validates it), a subscriber on the input queue, two awaited
publishes (publisher confirms are FastStream's default) and the ack after them. Per-message
logging is turned down to WARNING, which favours FastStream: its default logs two lines per
message.

    python -m bench.relay_faststream --url amqp://... --namespace bench-faststream-x
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from datetime import datetime

from faststream import AckPolicy
from faststream.rabbit import (
    ExchangeType,
    QueueType,
    RabbitBroker,
    RabbitExchange,
    RabbitQueue,
)
from faststream.rabbit.annotations import RabbitMessage
from faststream.rabbit.schemas import Channel
from pydantic import BaseModel, ConfigDict

from bench.broker import DEFAULT_URL, SINKS, input_queue, topology
from schemas.case import Case


class CaseSubmitted(BaseModel):
    """A case.submitted message as the team would model it."""

    model_config = ConfigDict(extra="forbid")

    message_id: str
    case_id: str
    causation_id: str | None = None
    type: str
    source: str
    occurred_at: datetime
    schema_version: int
    payload: Case
    traceparent: str | None = None  # the envelope's W3C trace context (gridhub sets it)


def build(url: str, namespace: str, prefetch: int) -> RabbitBroker:
    top = topology(namespace)
    broker = RabbitBroker(url, default_channel=Channel(prefetch_count=prefetch),
                          log_level=logging.WARNING)
    inbound = RabbitExchange(str(top.inbound.name), type=ExchangeType.DIRECT, durable=True)
    outbound = RabbitExchange(str(top.outbound.name), type=ExchangeType.DIRECT, durable=True)
    queue = RabbitQueue(input_queue(namespace), queue_type=QueueType.QUORUM, durable=True,
                        routing_key="hub")

    @broker.subscriber(queue, inbound, ack_policy=AckPolicy.MANUAL)
    async def relay(body: CaseSubmitted, msg: RabbitMessage) -> None:
        for key in SINKS:
            await broker.publish(body, exchange=outbound, routing_key=key, persist=True)
        await msg.ack()

    return broker


async def serve(url: str, namespace: str, prefetch: int) -> None:
    broker = build(url, namespace, prefetch)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    async with broker:
        await broker.start()
        await stop.wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--namespace", required=True)
    parser.add_argument("--prefetch", type=int, default=500)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(serve(args.url, args.namespace, args.prefetch))


if __name__ == "__main__":
    main()
