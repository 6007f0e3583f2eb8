"""Fixtures: the metering simulator on loopback (with its events on the real RabbitMQ) and a
connector pointed at it, publishing into a recording inbound."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence

import pytest

from connectors.metering import MeteringConnector
from connectors.metering.simulator import MeteringSimulator
from hub.errors import GridhubError
from schemas.envelope import Envelope

TOKEN = "metering-test-token-4711"


class RecordingInbound:
    """The hub side of a connector: keeps what was published; can be told to fail first."""

    def __init__(self) -> None:
        self.messages: list[Envelope] = []
        self.rejected: list[tuple[bytes, GridhubError, str]] = []  # the dead-letter store's part
        self.fail_next = 0
        self.calls = 0
        self.lock = threading.Lock()

    def publish(self, messages: Sequence[Envelope]) -> None:
        with self.lock:
            self.calls += 1
            if self.fail_next:
                self.fail_next -= 1
                raise ConnectionError("hub broker unavailable (test)")
            self.messages.extend(messages)

    def reject(self, body: bytes, error: GridhubError, *, source: str) -> None:
        with self.lock:
            self.rejected.append((body, error, source))

    def types(self) -> list[str]:
        with self.lock:
            return [m.type for m in self.messages]


@pytest.fixture
def inbound() -> RecordingInbound:
    return RecordingInbound()


@pytest.fixture
def simulator(amqp_url: str, amqp_namespace: str) -> Iterator[MeteringSimulator]:
    sim = MeteringSimulator(amqp_url=amqp_url, exchange=f"{amqp_namespace}.quant.events",
                            token=TOKEN, slow_seconds=1.5)
    sim.start()
    yield sim
    sim.stop()


def settings_for(sim: MeteringSimulator, namespace: str, amqp_url: str | None = None,
                 **extra: object) -> dict[str, object]:
    settings: dict[str, object] = {"base_url": sim.url, "token": TOKEN, "timeout": 0.5}
    if amqp_url:
        settings |= {"amqp_url": amqp_url, "exchange": sim.exchange,
                     "queue": f"{namespace}.gridhub.metering", "retry_pause": 0.2}
    return settings | extra


@pytest.fixture
def connector(simulator: MeteringSimulator, inbound: RecordingInbound, amqp_url: str,
              amqp_namespace: str) -> Iterator[MeteringConnector]:
    conn = MeteringConnector(settings_for(simulator, amqp_namespace, amqp_url), inbound)
    conn.start()
    assert conn.consumer is not None and conn.consumer.consuming.wait(10), "consumer not up"
    yield conn
    conn.stop()


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0, what: str = "it") -> None:
    """Poll ``predicate`` until true; fail fast naming what was awaited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
