"""Fixtures: the portal simulator and a connector wired to it, both on loopback sockets.

The servers live for the module (starting and stopping each costs half a second); every test
gets them reset: no failure mode, no cases, nothing published.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence

import pytest

from connectors.elsmart import ElsmartConnector
from connectors.elsmart.simulator import ElsmartSimulator
from schemas.envelope import Envelope

PORTAL_USER, PORTAL_PASSWORD = "gridhub", "portal-secret-1"
INBOUND_USER, INBOUND_PASSWORD = "elsmart-portal", "inbound-secret-2"


class RecordingInbound:
    """The hub side of ``Inbound``: keeps what was published; can fail or stall on demand."""

    def __init__(self) -> None:
        self.published: list[Envelope] = []
        self.error: Exception | None = None
        self.gate: threading.Event | None = None

    def publish(self, messages: Sequence[Envelope]) -> None:
        if self.gate is not None:
            assert self.gate.wait(5), "test gate never opened"
        if self.error is not None:
            raise self.error
        self.published.extend(messages)

    def reset(self) -> None:
        self.published, self.error, self.gate = [], None, None


@pytest.fixture(scope="module")
def _wired(tmp_path_factory) -> Iterator[tuple[ElsmartSimulator, ElsmartConnector,
                                               RecordingInbound]]:
    sim = ElsmartSimulator(state_dir=tmp_path_factory.mktemp("portal"), username=PORTAL_USER,
                           password=PORTAL_PASSWORD, slow_seconds=1.5, timeout=5).start()
    inbound = RecordingInbound()
    conn = ElsmartConnector({"url": sim.soap_url, "username": PORTAL_USER,
                             "password": PORTAL_PASSWORD, "timeout": "1s", "listen_port": 0,
                             "inbound_username": INBOUND_USER,
                             "inbound_password": INBOUND_PASSWORD}, inbound)
    conn.start()
    sim.gridhub_url = conn.inbound_url
    sim.gridhub_auth = (INBOUND_USER, INBOUND_PASSWORD)
    yield sim, conn, inbound
    stopping = threading.Thread(target=conn.stop)  # each stop waits out a 0.5 s poll
    stopping.start()
    sim.stop()
    stopping.join(5)


@pytest.fixture
def portal(_wired) -> ElsmartSimulator:
    sim, _, inbound = _wired
    sim.reset()
    inbound.reset()
    return sim


@pytest.fixture
def hub_inbound(portal, _wired) -> RecordingInbound:
    return _wired[2]


@pytest.fixture
def connector(portal, _wired) -> ElsmartConnector:
    return _wired[1]
