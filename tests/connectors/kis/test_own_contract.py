"""A grid owner's own KIS contract (issue 18 item 1): the connector with mapping:/xsd: settings
and the simulator given the same settings speak the renamed elements end to end; the packaged
connector against that simulator is refused by the contract."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.kis.contract import XSD_PATH
from connectors.kis.simulator import KisSimulator
from connectors.kis.wire import MAPPING_PATH
from hub.errors import InvalidMessage
from tests.connectors.kis.conftest import PASSWORD
from tests.connectors.kis.test_connector import _lookup


@pytest.fixture
def own_files(tmp_path: Path) -> dict[str, str]:
    mapping, xsd = tmp_path / "kis-mapping.yaml", tmp_path / "kis.xsd"
    mapping.write_text(MAPPING_PATH.read_text(encoding="utf-8").replace(
        "k:MainFuse", "k:Huvudsakring"), encoding="utf-8")
    xsd.write_text(XSD_PATH.read_text(encoding="utf-8").replace(
        'name="MainFuse"', 'name="Huvudsakring"'), encoding="utf-8")
    return {"mapping": str(mapping), "xsd": str(xsd)}


@pytest.fixture
def own_sim(own_files):
    sim = KisSimulator(password=PASSWORD)
    sim.use_settings(own_files)
    sim.start()
    yield sim
    sim.stop()


def test_connector_and_simulator_on_the_same_own_contract(own_sim, own_files, make_connector):
    connector = make_connector(sim=own_sim, **own_files)
    [answer] = connector.deliver(_lookup(meter_number="7350000"))
    assert answer.payload["status_code"] == 100
    assert answer.payload["facility"]["main_fuse_a"] == 16


def test_the_packaged_connector_is_refused_by_the_own_contract(own_sim, make_connector):
    with pytest.raises(InvalidMessage) as info:  # the simulator's answer breaks kis.xsd
        make_connector(sim=own_sim).deliver(_lookup(meter_number="7350000"))
    assert "Element 'Huvudsakring': This element is not expected" in str(info.value)
