"""The output consumer: reads both output queues in its own process and records every arrival.

It is the same for every contender: pika, manual acks (one multiple-ack per poll), and per
message only a receive timestamp and three short regex reads of the body. The parent asks
for counts while it waits and takes the records at the end of a phase.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import time
from array import array
from dataclasses import dataclass, field
from multiprocessing.connection import Connection as Pipe
from typing import Any

import pika

from bench.messages import read_output

PREFETCH = 2000


@dataclass
class Records:
    """Arrivals in order: output queue index, case, sequence, receive time, latency (s)."""

    queue: array = field(default_factory=lambda: array("b"))  # type: ignore[type-arg]
    case: array = field(default_factory=lambda: array("l"))  # type: ignore[type-arg]
    seq: array = field(default_factory=lambda: array("l"))  # type: ignore[type-arg]
    received: array = field(default_factory=lambda: array("d"))  # type: ignore[type-arg]
    latency: array = field(default_factory=lambda: array("d"))  # type: ignore[type-arg]
    foreign: int = 0  # bodies the benchmark did not make

    def __len__(self) -> int:
        return len(self.queue)

    def extend(self, other: Records) -> None:
        for name in ("queue", "case", "seq", "received", "latency"):
            getattr(self, name).extend(getattr(other, name))
        self.foreign += other.foreign


def _serve(url: str, queues: list[str], pipe: Pipe) -> None:
    records = Records()
    conn = pika.BlockingConnection(pika.URLParameters(url))
    channel = conn.channel()
    channel.basic_qos(prefetch_count=PREFETCH)
    last_tag = 0
    acked = 0

    def on_message(index: int, ch: Any, method: Any, _props: Any, body: bytes) -> None:
        nonlocal last_tag
        now = time.time()
        last_tag = method.delivery_tag
        found = read_output(body)
        if found is None:
            records.foreign += 1
            return
        records.queue.append(index)
        records.case.append(found[0])
        records.seq.append(found[1])
        records.received.append(now)
        records.latency.append(now - found[2])

    for index, name in enumerate(queues):
        channel.basic_consume(name, lambda *a, i=index: on_message(i, *a), auto_ack=False)
    pipe.send("ready")
    while True:
        conn.process_data_events(time_limit=0.02)
        if last_tag > acked:
            channel.basic_ack(last_tag, multiple=True)
            acked = last_tag
        if pipe.poll():
            command = pipe.recv()
            if command == "count":
                pipe.send(len(records) + records.foreign)
            elif command == "take":
                pipe.send(records)
                records = Records()
            else:
                break
    conn.close()


class Sink:
    """Handle on the consumer process."""

    def __init__(self, url: str, queues: list[str]) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._pipe, child = ctx.Pipe()
        self._process = ctx.Process(target=_serve, args=(url, queues, child), daemon=True,
                                    name="bench-sink")
        self._process.start()
        if not self._pipe.poll(30) or self._pipe.recv() != "ready":
            self.stop()
            raise RuntimeError(f"the output consumer did not start on {queues}")

    @property
    def pid(self) -> int:
        return int(self._process.pid or 0)

    def count(self) -> int:
        """Arrivals since the last :meth:`take`."""
        self._pipe.send("count")
        return int(self._pipe.recv())

    def take(self) -> Records:
        self._pipe.send("take")
        records: Records = self._pipe.recv()
        return records

    def wait_for(self, total: int, timeout_s: float, stall_s: float = 30.0) -> int:
        """Wait until ``total`` outputs arrived, the timeout passed, or nothing arrived for
        ``stall_s``; returns the count reached."""
        deadline = time.monotonic() + timeout_s
        last, last_change = -1, time.monotonic()
        while True:
            count = self.count()
            now = time.monotonic()
            if count != last:
                last, last_change = count, now
            if count >= total or now > deadline or now - last_change > stall_s:
                return count
            time.sleep(0.05)

    def stop(self) -> None:
        if self._process.is_alive():
            with contextlib.suppress(OSError):
                self._pipe.send("stop")
            self._process.join(10)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(5)
