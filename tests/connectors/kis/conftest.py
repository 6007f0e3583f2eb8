"""A KIS simulator on loopback (one per module, reset per test) and a connector on it."""

import pytest

from connectors.kis import KisConnector
from connectors.kis.simulator import KisSimulator

PASSWORD = "kis-test-secret"


class Recorder:
    """An Inbound that keeps what it was given (the hub's broker is not under test here)."""

    def __init__(self):
        self.published = []
        self.rejected = []  # (body, error, source): what the dead-letter store would keep

    def publish(self, messages):
        self.published.extend(messages)

    def reject(self, body, error, *, source):
        self.rejected.append((body, error, source))


@pytest.fixture(scope="module")
def _shared_sim():
    sim = KisSimulator(password=PASSWORD, slow_seconds=3.0).start()
    yield sim
    sim.stop()


@pytest.fixture
def kis_sim(_shared_sim):
    _shared_sim.reset()
    yield _shared_sim
    _shared_sim.reset()


@pytest.fixture
def own_sim(tmp_path):
    """A simulator of the test's own, with persistent state (for stop/restart tests)."""
    sim = KisSimulator(state_dir=tmp_path / "sim", password=PASSWORD, slow_seconds=3.0).start()
    yield sim
    sim.stop()


@pytest.fixture
def inbound():
    return Recorder()


@pytest.fixture
def make_connector(kis_sim, inbound, tmp_path):
    def make(sim=None, **settings):
        base = {"url": (sim or kis_sim).endpoint, "username": "gridhub", "password": PASSWORD,
                "timeout": 0.5, "poll_interval": 0, "cursor_file": str(tmp_path / "cursor.json")}
        return KisConnector({**base, **settings}, inbound)
    return make


@pytest.fixture
def connector(make_connector):
    return make_connector()
