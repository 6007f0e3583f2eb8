"""Billing events polled from the KIS simulator: publish, then advance a persisted cursor."""

import json
import time

import pytest

from hub.poller import CursorStore


def _wait_for(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def test_poll_publishes_billing_updates_and_persists_the_cursor(connector, kis_sim, inbound,
                                                                 tmp_path):
    kis_sim.add_billing_event("SE-1000")
    kis_sim.add_billing_event("SE-1000")
    kis_sim.add_billing_event("SE-1001", "not_billable")
    assert connector.poller.poll_once() == 3
    assert [(m.message_id, m.case_id, m.type, m.payload["state"]) for m in inbound.published] == [
        ("kis:EV00000001", "SE-1000", "billing.updated", "quote_sent"),
        ("kis:EV00000002", "SE-1000", "billing.updated", "quote_ordered"),
        ("kis:EV00000003", "SE-1001", "billing.updated", "not_billable")]
    assert json.loads((tmp_path / "cursor.json").read_text())["cursor"] == "3"
    assert connector.poller.poll_once() == 0
    assert len(inbound.published) == 3


def test_invoice_carries_amount_currency_and_numbers(connector, kis_sim, inbound):
    for _ in range(3):
        kis_sim.add_billing_event("NO-2000")
    connector.poller.poll_once()
    invoiced = inbound.published[-1].payload
    assert invoiced["state"] == "invoiced" and invoiced["currency"] == "NOK"
    assert invoiced["invoice_number"].startswith("F-") and float(invoiced["amount"]) >= 1500


def test_a_restarted_connector_continues_after_the_cursor(make_connector, kis_sim, inbound):
    kis_sim.add_billing_event("SE-1000")
    make_connector().poller.poll_once()
    kis_sim.add_billing_event("SE-1000")
    make_connector().poller.poll_once()  # a new instance, same cursor file
    assert [m.message_id for m in inbound.published] == ["kis:EV00000001", "kis:EV00000002"]


class FailingInbound:
    def publish(self, messages):
        raise ConnectionError("broker went away")


def test_the_cursor_stays_when_the_broker_did_not_confirm(make_connector, kis_sim, inbound):
    kis_sim.add_billing_event("SE-1000")
    failing = make_connector()
    failing.poller._inbound = FailingInbound()
    with pytest.raises(ConnectionError):
        failing.poller.poll_once()
    make_connector().poller.poll_once()
    assert [m.message_id for m in inbound.published] == ["kis:EV00000001"]


def test_a_poisoned_event_is_set_aside_and_the_rest_flows(connector, kis_sim, inbound, tmp_path):
    kis_sim.add_billing_event("SE-1000")
    bad = dict(kis_sim.add_billing_event("SE-1001"), kind="OKAND")
    kis_sim.state.data["events"][-1] = bad  # a KIS with a code the contract does not know
    kis_sim.add_billing_event("SE-1002")
    assert connector.poller.poll_once() == 3
    assert [m.case_id for m in inbound.published] == ["SE-1000", "SE-1002"]
    saved = json.loads((tmp_path / "cursor.json").read_text())
    assert saved["cursor"] == "3"
    ((body, error, source),) = inbound.rejected  # the whole event, for the dead-letter store
    assert bad["event_id"].encode() in body and b"OKAND" in body
    assert "Kind" in str(error) and source == "kis"


def test_started_poller_drains_full_batches_without_waiting(make_connector, kis_sim, inbound):
    for i in range(5):
        kis_sim.add_billing_event(f"SE-{1000 + i}")
    connector = make_connector(poll_interval=30, poll_batch=2)
    connector.start()
    try:
        assert _wait_for(lambda: len(inbound.published) == 5, timeout=3.0)
    finally:
        connector.stop()
    assert kis_sim.calls["GetEvents"] == 3


def test_poller_survives_kis_failures(make_connector, kis_sim, inbound):
    kis_sim.fail("5xx")
    connector = make_connector(poll_interval=0.05)
    connector.start()
    try:
        assert _wait_for(lambda: kis_sim.calls.get("GetEvents", 0) >= 2)
        kis_sim.fail("none")
        kis_sim.add_billing_event("SE-1000")
        assert _wait_for(lambda: len(inbound.published) == 1)
    finally:
        connector.stop()


def test_no_poller_thread_when_polling_is_off(connector, kis_sim):
    connector.start()
    time.sleep(0.1)
    connector.stop()
    assert "GetEvents" not in kis_sim.calls


def test_cursor_store_in_memory_when_no_path():
    store = CursorStore(None)
    state = store.load()
    state.cursor = "7"
    store.save(state)
    assert store.load().cursor is None
