"""Held work orders, their release and their cancellation (issue 15, items 1 and 2), over
HTTP against the coordinator simulator."""

from __future__ import annotations

import pytest

from connectors.metering import MeteringConnector
from connectors.metering.simulator import MeteringSimulator
from hub.errors import TargetRejected
from tests.connectors.metering.conftest import RecordingInbound, settings_for
from tests.factories import envelope, norwegian_case


@pytest.fixture
def outbound(simulator: MeteringSimulator, inbound: RecordingInbound,
             amqp_namespace: str) -> MeteringConnector:
    return MeteringConnector(settings_for(simulator, amqp_namespace), inbound)


def _held(outbound: MeteringConnector, seed: int) -> dict:
    case = norwegian_case(seed=seed)
    request = envelope("workorder.requested", case)
    request = request.model_copy(update={"payload": {**request.payload, "hold": True}})
    (created,) = outbound.deliver(request)
    return created.payload


def _instruction(type_: str, created: dict, seed: int, step: int = 1):
    return envelope(type_, norwegian_case(seed=seed), step=step, payload={
        "workorder_id": created["workorder_id"], "kind": created["kind"],
        "at": "2024-05-20T08:00:00+00:00", "comment": "Ärendet är avbrutet."})


def test_a_held_order_waits_until_released(outbound, simulator):
    created = _held(outbound, 1)
    assert simulator.advance() == []
    assert outbound.deliver(_instruction("workorder.release.requested", created, 1)) == []
    [event] = simulator.advance()
    assert event["eventType"] == "EQUIPMENT_PLANNED"


def test_cancel_publishes_cancelled_and_ends_the_order(outbound, simulator):
    created = _held(outbound, 2)
    cancel = _instruction("workorder.cancel.requested", created, 2)
    assert outbound.deliver(cancel) == []
    wid = created["workorder_id"]
    assert simulator.cancelled == [wid]
    assert simulator.orders[wid]["status"] == "CANCELLED"
    assert [e["eventType"] for e in simulator.published] == ["CANCELLED"]
    assert simulator.advance() == []
    outbound.deliver(cancel)  # again (a redelivery): nothing more happens
    assert simulator.cancelled == [wid]


def test_cancelling_a_finished_order_leaves_it(outbound, simulator):
    created = _held(outbound, 3)
    outbound.deliver(_instruction("workorder.release.requested", created, 3))
    while simulator.advance():
        pass
    outbound.deliver(_instruction("workorder.cancel.requested", created, 3, step=2))
    assert simulator.orders[created["workorder_id"]]["status"] == "REPORTED"
    assert simulator.cancelled == []


def test_an_unknown_order_is_refused_by_name(outbound):
    unknown = {"workorder_id": "AO-999999", "kind": "rebuild_1_to_3_phase"}
    with pytest.raises(TargetRejected, match="404"):
        outbound.deliver(_instruction("workorder.cancel.requested", unknown, 4))
