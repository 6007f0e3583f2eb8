"""The datahub simulator on its own: control endpoint, persistent state, its SOAP faults."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from connectors.elhub import ElhubConnector, masterdata, polling
from connectors.elhub.polling import POLL_MARKET
from connectors.elhub.simulator import ElhubSimulator
from connectors.elhub.soapclient import ElhubClient
from hub import soap
from hub.errors import TargetRejected
from tests.connectors.elhub.conftest import (
    KNOWN_GSRN,
    NEW_GSRN,
    KeyPair,
    RecordingInbound,
    settings_for,
    start_simulator,
    wait_until,
)
from tests.connectors.elhub.test_documents import NEW, collected, updated


def control(sim: ElhubSimulator, action: str, body: dict[str, Any] | None = None
            ) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{sim.url}/_control/{action}", data=data,
                                     method="POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=3) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_control_endpoint_sets_failure_and_metering_points(
        simulator: ElhubSimulator, connector: ElhubConnector) -> None:
    assert control(simulator, "fail", {"mode": "reject"}) == (200, {"mode": "reject"})
    wait_until(lambda: simulator.failure == "reject", what="reject mode")
    with pytest.raises(TargetRejected, match="E14"):
        connector.deliver(collected())
    control(simulator, "fail", {"mode": "none"})
    wait_until(lambda: simulator.failure == "none", what="normal mode")
    other = NEW_GSRN
    control(simulator, "meteringpoints", {"gsrn": other, "status": "active"})
    assert connector.deliver(collected(gsrn=other)) == []
    status, state = control(simulator, "state")
    assert status == 200 and state["values_received"] == {other: 96}


def test_down_through_the_control_endpoint_comes_back(simulator: ElhubSimulator) -> None:
    control(simulator, "fail", {"mode": "down", "seconds": 0.3})
    wait_until(lambda: simulator.failure == "down", what="down")
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{simulator.url}/_control/state", timeout=1)
    wait_until(lambda: simulator.failure == "none", timeout=5, what="back up")
    assert control(simulator, "state")[0] == 200


def test_queue_through_the_control_endpoint(simulator: ElhubSimulator) -> None:
    assert control(simulator, "queue", {"queue": "market", "document": "<x/>"}) == \
        (200, {"queued": 1})
    assert control(simulator, "queue", {"queue": "market", "document": "<x"})[0] == 400


def test_state_survives_a_restart(tmp_path: Path, keypair: KeyPair,
                                  inbound: RecordingInbound) -> None:
    first = start_simulator(keypair, state_dir=tmp_path, ack_mode="poll")
    try:
        conn = ElhubConnector(settings_for(first, keypair, timeout=2), inbound)
        conn.deliver(updated("new", **NEW))
    finally:
        first.stop()
    second = start_simulator(keypair, state_dir=tmp_path, ack_mode="poll")
    try:
        assert second.hub.metering_points[NEW_GSRN]["status"] == "new"
        conn = ElhubConnector(settings_for(second, keypair, timeout=2, poll_interval=1),
                              inbound)
        assert conn.poller is not None and conn.poller.drain(POLL_MARKET) == 1  # the 39
        assert inbound.messages[0].payload["status"] == "39"
    finally:
        second.stop()


def test_a_document_breaking_the_xsd_is_a_client_fault_xsd(simulator: ElhubSimulator,
                                                           keypair: KeyPair) -> None:
    root = masterdata.to_document(updated("activate"), sender="7080005051019",
                                  recipient="7080010001009")
    root[2][0].text = "yesterday"  # StartOfOccurrence
    wrapper = polling.MARKET.tag("RequestUpdateMasterDataMeteringPointRequest")
    request = etree.Element(wrapper)
    request.append(root)
    client = ElhubClient(settings_for(simulator, keypair))
    with pytest.raises(TargetRejected) as info:
        client.call(polling.MARKET, "RequestUpdateMasterDataMeteringPoint", request)
    assert info.value.remote is not None and info.value.remote.details["CodeGroup"] == "XSD"
    assert "StartOfOccurrence" in info.value.remote.details["FaultText"]
    assert simulator.hub.metering_points[KNOWN_GSRN]["status"] == "active"


def test_a_wrapper_sent_to_another_service_is_a_client_fault(
        simulator: ElhubSimulator, keypair: KeyPair) -> None:
    root = masterdata.to_document(updated("activate"), sender="7080005051019",
                                  recipient="7080010001009")
    request = etree.Element(polling.MARKET.tag("RequestUpdateMasterDataMeteringPointRequest"))
    request.append(root)
    wrong = polling.Service("PollMarketProcesses", polling.MARKET.namespace)
    with pytest.raises(TargetRejected,
                       match="is not an operation of /WebService/services/PollMarketProcesses"):
        ElhubClient(settings_for(simulator, keypair)).call(
            wrong, "RequestUpdateMasterDataMeteringPoint", request)


def test_a_body_that_is_not_soap_is_a_client_fault(simulator: ElhubSimulator) -> None:
    request = urllib.request.Request(f"{simulator.url}/WebService/services/Nowhere",
                                     data=b"<x/>", method="POST")
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=3)
    body = info.value.read()
    assert info.value.code == 500
    with pytest.raises(TargetRejected, match=r"not a SOAP 1\.1 envelope"):
        soap.raise_for_fault(body, where="test")
