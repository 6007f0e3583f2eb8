"""deliver(): work orders over HTTP to the simulator, and every failure class."""

from __future__ import annotations

import pytest

from connectors.metering import MeteringConnector
from connectors.metering.simulator import MeteringSimulator
from hub.errors import (
    ConfigurationError,
    InvalidMessage,
    TargetRejected,
    TargetServerError,
    TargetTimeout,
    TargetUnavailable,
)
from tests.connectors.metering.conftest import RecordingInbound, settings_for
from tests.factories import envelope, norwegian_case


@pytest.fixture
def outbound(simulator: MeteringSimulator, inbound: RecordingInbound,
             amqp_namespace: str) -> MeteringConnector:
    return MeteringConnector(settings_for(simulator, amqp_namespace), inbound)


def test_request_creates_a_work_order_and_answers_created(
        outbound: MeteringConnector, simulator: MeteringSimulator) -> None:
    request = envelope("workorder.requested", norwegian_case(seed=1))
    (created,) = outbound.deliver(request)
    assert created.type == "workorder.created"
    assert created.case_id == request.case_id and created.causation_id == request.message_id
    order = simulator.orders[created.payload["workorder_id"]]
    assert order["orderType"] == "OMBYGGING_1_3_FASE" and order["status"] == "CREATED"
    assert order["externalRef"] == request.case_id
    assert created.payload["kind"] == "rebuild_1_to_3_phase"


def test_redelivery_is_idempotent(outbound: MeteringConnector,
                                  simulator: MeteringSimulator) -> None:
    request = envelope("workorder.requested", norwegian_case(seed=2))
    first = outbound.deliver(request)
    second = outbound.deliver(request)
    assert first == second
    assert len(simulator.orders) == 1


def test_timeout_is_transient(outbound: MeteringConnector,
                              simulator: MeteringSimulator) -> None:
    simulator.fail("slow")
    with pytest.raises(TargetTimeout, match=r"no answer within 0\.5s"):
        outbound.deliver(envelope("workorder.requested", norwegian_case(seed=3)))


def test_5xx_is_transient_and_keeps_the_remote_fault(outbound: MeteringConnector,
                                                     simulator: MeteringSimulator) -> None:
    simulator.fail("5xx")
    with pytest.raises(TargetServerError) as info:
        outbound.deliver(envelope("workorder.requested", norwegian_case(seed=4)))
    assert info.value.remote is not None
    assert info.value.remote.status == "503"
    assert info.value.remote.details == {"code": "UNAVAILABLE"}


@pytest.mark.parametrize(("mode", "status", "code"), [("soap-fault", "400", "INVALID_REQUEST"),
                                                      ("reject", "409", "REJECTED")])
def test_client_errors_are_permanent(outbound: MeteringConnector, simulator: MeteringSimulator,
                                     mode: str, status: str, code: str) -> None:
    simulator.fail(mode)
    with pytest.raises(TargetRejected) as info:
        outbound.deliver(envelope("workorder.requested", norwegian_case(seed=5)))
    assert info.value.remote is not None
    assert (info.value.remote.status, info.value.remote.details["code"]) == (status, code)
    assert simulator.orders == {}


def test_down_is_unavailable_and_recovers(outbound: MeteringConnector,
                                          simulator: MeteringSimulator) -> None:
    simulator.fail("down")
    with pytest.raises(TargetUnavailable, match="cannot reach"):
        outbound.deliver(envelope("workorder.requested", norwegian_case(seed=6)))
    assert not outbound.reachable()
    simulator.fail("none")
    assert outbound.reachable()
    assert outbound.deliver(envelope("workorder.requested", norwegian_case(seed=6)))


def test_refused_connection_is_unavailable(inbound: RecordingInbound) -> None:
    from tests.conftest import free_port

    conn = MeteringConnector({"base_url": f"http://127.0.0.1:{free_port()}", "timeout": 0.5},
                             inbound)
    with pytest.raises(TargetUnavailable):
        conn.deliver(envelope("workorder.requested", norwegian_case(seed=7)))


def test_wrong_credentials_are_rejected(simulator: MeteringSimulator, inbound: RecordingInbound,
                                        amqp_namespace: str) -> None:
    conn = MeteringConnector(settings_for(simulator, amqp_namespace, token="wrong"), inbound)
    with pytest.raises(TargetRejected) as info:
        conn.deliver(envelope("workorder.requested", norwegian_case(seed=8)))
    assert info.value.remote is not None and info.value.remote.status == "401"


def test_other_types_are_not_taken(outbound: MeteringConnector) -> None:
    with pytest.raises(InvalidMessage,
                       match=r"takes workorder\.requested, workorder\.release\.requested"):
        outbound.deliver(envelope("workorder.assigned", norwegian_case()))


def test_an_invalid_request_never_leaves(outbound: MeteringConnector,
                                         simulator: MeteringSimulator) -> None:
    bad = envelope("workorder.requested", payload={"kind": "teleport",
                                                   "at": "2024-03-14T08:30:00Z"})
    with pytest.raises(InvalidMessage, match=r"payload\.kind"):
        outbound.deliver(bad)
    assert simulator.orders == {}


def test_settings_are_checked(inbound: RecordingInbound) -> None:
    with pytest.raises(ConfigurationError, match="base_url"):
        MeteringConnector({"base_url": "ftp://x"}, inbound)
    with pytest.raises(ConfigurationError, match="queue is required"):
        MeteringConnector({"amqp_url": "amqp://x", "exchange": "e"}, inbound)
