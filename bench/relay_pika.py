"""Contender (b): a raw relay written directly on pika, the limit of this broker here.

One asynchronous connection (``SelectConnection``), one channel in confirm mode. Each input is
published unchanged to both outputs; inputs are acked (multiple) once every output of them
and of every earlier input is confirmed. The window is the prefetch: up to ``prefetch``
inputs are in flight. No parsing, no validation, no store.

    python -m bench.relay_pika --url amqp://... --namespace bench-raw-x
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections import deque
from typing import Any

import pika
from pika.spec import Basic

from bench.broker import DEFAULT_URL, SINKS, input_queue, topology

PERSISTENT = pika.BasicProperties(delivery_mode=2, content_type="application/json",
                                  content_encoding="utf-8")


class Relay:
    def __init__(self, url: str, namespace: str, prefetch: int) -> None:
        self._url = url
        self._queue = input_queue(namespace)
        self._exchange = str(topology(namespace).outbound.name)
        self._prefetch = prefetch
        self._conn: Any = None
        self._channel: Any = None
        self._seq = 0  # publish sequence numbers, as the broker counts them on this channel
        self._order: deque[int] = deque()  # publishes not yet known to be confirmed, in order
        self._unconfirmed: set[int] = set()
        self._inputs: deque[tuple[int, int]] = deque()  # (delivery tag, last publish seq)

    def run(self) -> None:
        self._conn = pika.SelectConnection(
            pika.URLParameters(self._url), on_open_callback=self._on_open,
            on_open_error_callback=lambda _c, exc: sys.exit(f"relay: cannot connect: {exc}"),
            on_close_callback=lambda _c, _exc: self._conn.ioloop.stop())
        signal.signal(signal.SIGTERM, lambda *_: self._conn.ioloop.add_callback_threadsafe(
            self._conn.close))
        self._conn.ioloop.start()

    def _on_open(self, conn: Any) -> None:
        conn.channel(on_open_callback=self._on_channel)

    def _on_channel(self, channel: Any) -> None:
        self._channel = channel
        channel.confirm_delivery(self._on_confirm, callback=lambda _f: channel.basic_qos(
            prefetch_count=self._prefetch,
            callback=lambda _f: channel.basic_consume(self._queue, self._on_message)))

    def _on_message(self, channel: Any, method: Any, props: Any, body: bytes) -> None:
        for key in SINKS:
            channel.basic_publish(self._exchange, key, body, properties=PERSISTENT)
            self._seq += 1
            self._unconfirmed.add(self._seq)
            self._order.append(self._seq)
        self._inputs.append((method.delivery_tag, self._seq))

    def _on_confirm(self, frame: Any) -> None:
        method = frame.method
        if isinstance(method, Basic.Nack):
            # The inputs stay unacked and go back to the queue: report it and stop.
            print(f"relay: broker nacked publish {method.delivery_tag}", file=sys.stderr)
            self._conn.close()
            return
        tag = method.delivery_tag
        if method.multiple:
            while self._order and self._order[0] <= tag:
                self._unconfirmed.discard(self._order.popleft())
        else:
            self._unconfirmed.discard(tag)
        while self._order and self._order[0] not in self._unconfirmed:
            self._order.popleft()
        lowest = self._order[0] if self._order else self._seq + 1
        done = None
        while self._inputs and self._inputs[0][1] < lowest:
            done = self._inputs.popleft()[0]
        if done is not None:
            self._channel.basic_ack(done, multiple=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--namespace", required=True)
    parser.add_argument("--prefetch", type=int, default=500)
    args = parser.parse_args(argv)
    Relay(args.url, args.namespace, args.prefetch).run()


if __name__ == "__main__":
    main()
