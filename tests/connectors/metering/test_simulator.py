"""The metering simulator on its own: control endpoint, persistent state, authentication."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from connectors.metering.simulator import MeteringSimulator
from tests.connectors.metering.conftest import TOKEN, wait_until


def call(sim: MeteringSimulator, path: str, body: dict[str, Any] | None = None,
         token: str | None = TOKEN) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(sim.url + path, data=data,
                                     method="POST" if data is not None else "GET")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=3) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


ORDER = {"requestId": "req-1", "externalRef": "NO-2024-000311", "orderType": "MALERBYTTE",
         "meteringPoint": {"gsrn": "707057500000000018", "meterNumber": "5512345"},
         "requestedAt": "2024-03-14T08:30:00Z"}


def test_control_endpoint_changes_the_failure_mode(simulator: MeteringSimulator) -> None:
    assert call(simulator, "/_control/fail", {"mode": "reject"}) == (200, {"mode": "reject"})
    wait_until(lambda: simulator.failure == "reject", what="reject mode")
    status, body = call(simulator, "/api/v1/workorders", ORDER)
    assert (status, body["error"]["code"]) == (409, "REJECTED")
    call(simulator, "/_control/fail", {"mode": "none"})
    wait_until(lambda: simulator.failure == "none", what="normal mode")
    assert call(simulator, "/api/v1/workorders", ORDER)[0] == 201


def test_down_through_the_control_endpoint_comes_back_by_itself(
        simulator: MeteringSimulator) -> None:
    call(simulator, "/_control/fail", {"mode": "down", "seconds": 0.3})
    wait_until(lambda: simulator.failure == "down", what="down")
    with pytest.raises(OSError):  # refused (URLError) or reset while closing
        urllib.request.urlopen(simulator.url + "/api/v1/health", timeout=1)
    wait_until(lambda: simulator.failure == "none", timeout=5, what="back up")
    assert call(simulator, "/api/v1/health") == (200, {"status": "ok"})


def test_a_request_breaking_the_contract_is_answered_400_naming_the_field(
        simulator: MeteringSimulator) -> None:
    status, body = call(simulator, "/api/v1/workorders", {**ORDER, "orderType": "TELEPORT"})
    assert status == 400
    assert body["error"]["field"] == "/orderType"


def test_the_api_requires_the_token(simulator: MeteringSimulator) -> None:
    assert call(simulator, "/api/v1/health", token=None)[0] == 401
    assert call(simulator, "/api/v1/health", token="nope")[0] == 401


def test_control_advance_and_outcome(simulator: MeteringSimulator) -> None:
    call(simulator, "/_control/outcome", {"outcome": "cancelled"})
    _, order = call(simulator, "/api/v1/workorders", ORDER)
    steps = []
    for _ in range(5):
        steps += [e["eventType"] for e in call(simulator, "/_control/advance", {})[1]["events"]]
    assert steps == ["EQUIPMENT_PLANNED", "WAREHOUSE_TASK_CREATED", "ASSIGNED", "CANCELLED"]
    assert call(simulator, f"/api/v1/workorders/{order['workOrderId']}")[1]["status"] == \
        "CANCELLED"
    assert call(simulator, "/_control/outcome", {"outcome": "maybe"})[0] == 400


def test_state_survives_a_restart(tmp_path: Path, amqp_url: str, amqp_namespace: str) -> None:
    first = MeteringSimulator(state_dir=tmp_path, amqp_url=amqp_url,
                              exchange=f"{amqp_namespace}.quant.state", token=TOKEN).start()
    try:
        status, order = call(first, "/api/v1/workorders", ORDER)
        first.advance()
    finally:
        first.stop()
    second = MeteringSimulator(state_dir=tmp_path, amqp_url=amqp_url,
                               exchange=f"{amqp_namespace}.quant.state", token=TOKEN).start()
    try:
        again_status, again = call(second, "/api/v1/workorders", ORDER)  # same requestId
        assert (status, again_status) == (201, 200)
        assert again["workOrderId"] == order["workOrderId"]
        assert again["status"] == "EQUIPMENT_PLANNED"
        assert [e["eventType"] for e in second.advance()] == ["WAREHOUSE_TASK_CREATED"]
    finally:
        second.stop()


def test_slow_mode_answers_late(simulator: MeteringSimulator) -> None:
    simulator.slow_seconds = 2.0
    simulator.fail("slow")
    request = urllib.request.Request(simulator.url + "/api/v1/health")
    request.add_header("Authorization", f"Bearer {TOKEN}")
    with pytest.raises((TimeoutError, urllib.error.URLError)):  # a 0.2 s client gives up
        urllib.request.urlopen(request, timeout=0.2)


def test_without_a_broker_events_go_to_the_feed_only() -> None:
    sim = MeteringSimulator()
    sim.publish_raw(b'{"eventId": "e-1"}')
    sim.publish_raw(b"\xffnot json")
    assert [(seq, key) for seq, key, _ in sim.feed] == [(1, "workorder.broken"),
                                                        (2, "workorder.broken")]
    assert sim.feed[0][2] == {"eventId": "e-1"}
    assert isinstance(sim.feed[1][2], str)
