"""Polling the datahub's queues into the hub: PollForData, translate, publish, AcknowledgePoll."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from lxml import etree

from connectors.elhub import ElhubConnector, acknowledgement, values
from connectors.elhub.polling import POLL_MARKET, POLL_METERING
from connectors.elhub.simulator import ElhubSimulator
from hub.errors import TargetRejected
from tests.connectors.elhub.conftest import (
    KNOWN_GSRN,
    UNKNOWN_GSRN,
    KeyPair,
    RecordingInbound,
    settings_for,
    start_simulator,
    wait_until,
)
from tests.connectors.elhub.test_documents import collected, updated

ELHUB_GLN, OUR_GLN = "7080010001009", "7080005051019"


@pytest.fixture
def poll_simulator(keypair: KeyPair) -> Iterator[ElhubSimulator]:
    sim = start_simulator(keypair, ack_mode="poll")
    yield sim
    sim.stop()


@pytest.fixture
def poll_connector(poll_simulator: ElhubSimulator, keypair: KeyPair,
                   inbound: RecordingInbound) -> ElhubConnector:
    return ElhubConnector(settings_for(poll_simulator, keypair, timeout=2,
                                       poll_interval=0.1), inbound)


def test_a_rejection_arrives_by_poll_with_its_case(
        poll_connector: ElhubConnector, poll_simulator: ElhubSimulator,
        inbound: RecordingInbound) -> None:
    message = updated("meter_change", gsrn=UNKNOWN_GSRN, meter_number="6970631400000009")
    assert poll_connector.deliver(message) == []  # taken in: Elhub answers later
    assert poll_connector.poller is not None
    assert poll_connector.poller.drain(POLL_MARKET) == 1
    (ack,) = inbound.messages
    assert ack.type == "meteringpoint.acknowledged" and ack.case_id == message.case_id
    assert ack.payload["status"] == "41"
    assert ack.payload["original_message_id"] == message.message_id
    assert ack.payload["gsrn"] == UNKNOWN_GSRN
    assert ack.payload["reasons"][0]["code"] == "E10"
    assert poll_simulator.hub.outstanding["market"] is None  # the poll was acknowledged
    assert poll_connector.poller.drain(POLL_MARKET) == 0


def test_a_positive_ack_by_poll(poll_connector: ElhubConnector,
                                inbound: RecordingInbound) -> None:
    message = updated("deactivate")
    poll_connector.deliver(message)
    assert poll_connector.poller is not None and poll_connector.poller.drain(POLL_MARKET) == 1
    assert inbound.messages[0].payload["status"] == "39"


def test_values_queued_by_the_datahub_become_canonical(
        poll_connector: ElhubConnector, poll_simulator: ElhubSimulator,
        inbound: RecordingInbound) -> None:
    for day in ("2024-03-12", "2024-03-13"):
        document = values.to_document(collected(day), sender=ELHUB_GLN, recipient=OUR_GLN)
        poll_simulator.queue("metering", document)
    assert poll_connector.poller is not None
    assert poll_connector.poller.drain(POLL_METERING) == 2
    assert [m.payload["day"] for m in inbound.messages] == ["2024-03-12", "2024-03-13"]
    assert {m.case_id for m in inbound.messages} == {KNOWN_GSRN}


def test_a_failed_publish_leaves_the_result_with_the_datahub(
        poll_connector: ElhubConnector, poll_simulator: ElhubSimulator,
        inbound: RecordingInbound) -> None:
    poll_simulator.queue("metering", values.to_document(collected(), sender=ELHUB_GLN,
                                                        recipient=OUR_GLN))
    inbound.fail_next = 1
    assert poll_connector.poller is not None
    with pytest.raises(ConnectionError):
        poll_connector.poller.drain(POLL_METERING)
    outstanding = poll_simulator.hub.outstanding["metering"]
    assert outstanding is not None  # not acknowledged: handed out again
    assert poll_connector.poller.drain(POLL_METERING) == 1
    assert len(inbound.messages) == 1


def test_the_poller_thread_pulls_on_its_own(
        poll_connector: ElhubConnector, poll_simulator: ElhubSimulator,
        inbound: RecordingInbound) -> None:
    poll_connector.start()
    try:
        poll_simulator.queue("metering", values.to_document(
            collected(), sender=ELHUB_GLN, recipient=OUR_GLN))
        wait_until(lambda: len(inbound.messages) == 1, timeout=10, what="a polled message")
    finally:
        poll_connector.stop()


def test_a_partial_poll_ack_is_refused(poll_connector: ElhubConnector,
                                       poll_simulator: ElhubSimulator) -> None:
    poll_simulator.queue("market", acknowledgement.build(
        "39", "0e0bd0b6-4d1a-4a59-8f63-6c1d2b7e9a10", sender=ELHUB_GLN, recipient=OUR_GLN,
        created=datetime.now(UTC), document_id="6c1f8b4f-3d2e-4f70-9bac-1d2e3f4a5b6c"))
    poller = poll_connector.poller
    assert poller is not None
    found = poller._poll(POLL_MARKET)
    assert found is not None
    with pytest.raises(TargetRejected, match="not the outstanding poll-result id"):
        poller._acknowledge(POLL_MARKET, "00000000-0000-4000-8000-000000000000")
    assert poll_simulator.hub.outstanding["market"] is not None
    again = poller._poll(POLL_MARKET)
    assert again is not None and again.result_id == found.result_id
    assert etree.tostring(again.documents[0]) == etree.tostring(found.documents[0])
