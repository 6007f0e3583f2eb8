"""The coordinator's AMQP events, consumed from the real RabbitMQ into the hub's inbound."""

from __future__ import annotations

import json
from datetime import date

import pika

from connectors.metering import MeteringConnector, events
from connectors.metering.simulator import MeteringSimulator
from tests.connectors.metering.conftest import RecordingInbound, settings_for, wait_until
from tests.factories import envelope, norwegian_case


def queue_depth(amqp_url: str, queue: str) -> int:
    connection = pika.BlockingConnection(events.parameters(amqp_url))
    try:
        return int(connection.channel().queue_declare(queue, passive=True)
                   .method.message_count)
    finally:
        connection.close()


def test_lifecycle_events_arrive_in_order_as_canonical_messages(
        connector: MeteringConnector, simulator: MeteringSimulator,
        inbound: RecordingInbound) -> None:
    request = envelope("workorder.requested", norwegian_case(seed=11))
    (created,) = connector.deliver(request)
    workorder_id = created.payload["workorder_id"]
    for _ in range(4):
        simulator.advance(workorder_id)
    wait_until(lambda: len(inbound.messages) == 4, timeout=10, what="4 lifecycle events")
    assert inbound.types() == ["workorder.equipment.planned", "workorder.warehousetask.created",
                               "workorder.assigned", "workorder.reported"]
    assert {m.case_id for m in inbound.messages} == {request.case_id}
    reported = inbound.messages[-1].payload
    assert reported["workorder_id"] == workorder_id
    assert reported["reading"]["value_kwh"] == "0.000"
    assert reported["old_meter_number"] == request.payload["meter_number"]
    assert [d["name"] for d in reported["documentation"]] == [
        "sluttkontroll.pdf", "foto-malerplass.jpg", "samsvarserklaering.pdf"]


def test_the_timer_moves_work_orders_on_its_own(
        amqp_url: str, amqp_namespace: str, inbound: RecordingInbound) -> None:
    sim = MeteringSimulator(amqp_url=amqp_url, exchange=f"{amqp_namespace}.quant.timer",
                            step_interval=0.1)
    sim.outcome = "deviation"
    sim.start()
    conn = MeteringConnector(settings_for(sim, amqp_namespace, amqp_url), inbound)
    conn.start()
    try:
        assert conn.consumer is not None and conn.consumer.consuming.wait(10)
        conn.deliver(envelope("workorder.requested", norwegian_case(seed=12),
                              payload={"kind": "closing", "at": "2024-03-14T08:30:00Z"}))
        wait_until(lambda: len(inbound.messages) == 2, timeout=10, what="2 timed steps")
        assert inbound.types() == ["workorder.assigned", "workorder.deviation"]
        assert "tilgang" in inbound.messages[-1].payload["deviation"]
    finally:
        conn.stop()
        sim.stop()


def test_metering_values_event_becomes_meteringvalues_collected(
        connector: MeteringConnector, simulator: MeteringSimulator,
        inbound: RecordingInbound) -> None:
    simulator.publish_metering_values("707057500000000018", date(2024, 10, 27))
    wait_until(lambda: len(inbound.messages) == 1, timeout=10, what="the values event")
    (message,) = inbound.messages
    assert message.type == "meteringvalues.collected"
    assert message.payload["day"] == "2024-10-27"
    assert len(message.payload["observations"]) == 100  # the autumn DST day


def test_a_bad_event_goes_to_the_dead_letter_queue_and_blocks_nothing(
        connector: MeteringConnector, simulator: MeteringSimulator,
        inbound: RecordingInbound, amqp_url: str) -> None:
    simulator.publish_raw(b"{not json")
    broken = {"eventId": "e-42", "eventType": "ASSIGNED", "occurredAt": "2024-03-14T09:00:00Z",
              "workOrder": {"workOrderId": "AO-1", "externalRef": "NO-1",
                            "orderType": "STENGING"}}  # no assignee
    simulator.publish_raw(json.dumps(broken).encode(), "workorder.assigned")
    simulator.publish_metering_values("707057500000000018", date(2024, 3, 13))
    wait_until(lambda: len(inbound.messages) == 1, timeout=10, what="the good event")
    assert inbound.types() == ["meteringvalues.collected"]
    assert connector.consumer is not None
    rejected = list(connector.consumer.rejected)
    assert [r.routing_key for r in rejected] == ["workorder.broken", "workorder.assigned"]
    assert "not JSON" in rejected[0].error and "'assignee'" in rejected[1].error
    dead = connector.consumer.topology.dead_queue
    wait_until(lambda: queue_depth(amqp_url, dead) == 2, timeout=10, what="2 dead letters")


def test_an_event_is_acked_only_after_the_hub_took_it(
        connector: MeteringConnector, simulator: MeteringSimulator,
        inbound: RecordingInbound, amqp_url: str) -> None:
    inbound.fail_next = 2  # the hub's broker refuses twice: the event must come back
    simulator.publish_metering_values("707057500000000018", date(2024, 3, 13))
    wait_until(lambda: len(inbound.messages) == 1, timeout=15, what="the event after retries")
    consumer = connector.consumer
    assert consumer is not None
    wait_until(lambda: consumer.acked == 1, timeout=5, what="the ack after the publish")
    assert inbound.calls == 3
    assert queue_depth(amqp_url, connector.consumer.topology.queue) == 0
    assert queue_depth(amqp_url, connector.consumer.topology.dead_queue) == 0


def test_events_published_while_the_connector_is_away_are_kept(
        connector: MeteringConnector, simulator: MeteringSimulator,
        inbound: RecordingInbound) -> None:
    connector.stop()
    simulator.publish_metering_values("707057500000000018", date(2024, 3, 12))
    connector.start()
    wait_until(lambda: len(inbound.messages) == 1, timeout=10, what="the kept event")
    assert inbound.messages[0].payload["day"] == "2024-03-12"
