"""A NIS simulator on loopback (one per module, reset per test) and a connector on it."""

from datetime import date

import pytest

from connectors.nis import NisConnector
from connectors.nis.simulator import NisSimulator

PASSWORD = "nis-test-secret"
TODAY = date(2024, 3, 20)


class NoInbound:
    def publish(self, messages):
        raise AssertionError("the nis connector publishes nothing inbound")


@pytest.fixture(scope="module")
def _shared_sim():
    sim = NisSimulator(password=PASSWORD, slow_seconds=3.0, today=TODAY).start()
    yield sim
    sim.stop()


@pytest.fixture
def nis_sim(_shared_sim):
    _shared_sim.reset()
    yield _shared_sim
    _shared_sim.reset()


@pytest.fixture
def make_connector(nis_sim):
    def make(sim=None, **settings):
        base = {"url": (sim or nis_sim).endpoint, "username": "gridhub", "password": PASSWORD,
                "timeout": 0.5}
        return NisConnector({**base, **settings}, NoInbound())
    return make


@pytest.fixture
def connector(make_connector):
    return make_connector()
