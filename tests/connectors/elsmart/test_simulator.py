"""The portal simulator itself: persistent state, HTTP control, failure modes, lifecycle."""

from __future__ import annotations

import json

import pytest
import requests

from connectors.elsmart import ElsmartConnector
from connectors.elsmart.simulator import ElsmartSimulator
from hub.errors import TargetServerError, TargetUnavailable
from tests.connectors.elsmart.conftest import PORTAL_PASSWORD, PORTAL_USER, RecordingInbound
from tests.factories import envelope, swedish_case

CASE = swedish_case()


def _connector(sim: ElsmartSimulator) -> ElsmartConnector:
    return ElsmartConnector({"url": sim.soap_url, "timeout": 2}, RecordingInbound())


def test_state_is_persisted_and_reloaded(tmp_path):
    sim = ElsmartSimulator(state_dir=tmp_path).start()
    try:
        _connector(sim).deliver(envelope("case.approved", CASE))
    finally:
        sim.stop()
    saved = json.loads((tmp_path / "elsmart-portal.json").read_text(encoding="utf-8"))
    assert saved["cases"]["SE-1000"]["status"] == "approved"
    again = ElsmartSimulator(state_dir=tmp_path)
    assert again.state.snapshot()["cases"]["SE-1000"]["status"] == "approved"
    assert envelope("case.approved", CASE).message_id in again.state.received


def test_control_endpoint_changes_failure_mode_and_state_is_served(portal, connector):
    answer = requests.post(portal.url + "/_control/fail", json={"mode": "5xx"}, timeout=5)
    assert answer.json() == {"mode": "5xx", "status": None}
    with pytest.raises(TargetServerError):
        connector.deliver(envelope("case.archived", CASE))
    requests.post(portal.url + "/_control/fail", json={"mode": "none"}, timeout=5)
    connector.deliver(envelope("case.archived", CASE))
    state = requests.get(portal.url + "/_state", timeout=5).json()
    assert state["cases"]["SE-1000"]["status"] == "archived"
    bad = requests.post(portal.url + "/_control/fail", json={"mode": "sometimes"}, timeout=5)
    assert bad.status_code == 400
    requests.post(portal.url + "/_control/reset", timeout=5)
    assert requests.get(portal.url + "/_state", timeout=5).json()["cases"] == {}


def test_down_drops_soap_but_keeps_control(portal, connector):
    requests.post(portal.url + "/_control/fail", json={"mode": "down"}, timeout=5)
    with pytest.raises(TargetUnavailable):
        connector.deliver(envelope("case.archived", CASE))
    assert requests.get(portal.url + "/_state", timeout=5).status_code == 200


def test_stopped_simulator_drops_kept_alive_connections():
    sim = ElsmartSimulator().start()
    conn = _connector(sim)
    conn.deliver(envelope("case.archived", CASE))  # opens a kept-alive connection
    sim.stop()
    with pytest.raises(TargetUnavailable):
        conn.deliver(envelope("case.completion.approved", CASE))


def test_portal_refuses_calls_without_its_credentials(portal):
    from connectors.elsmart.client import SoapCaller
    from connectors.elsmart.wire import ElsmartWire
    from hub.errors import TargetRejected
    from hub.toolkit import HttpClient

    caller = SoapCaller(HttpClient(portal.soap_url, target="the portal", timeout=2))
    with pytest.raises(TargetRejected, match="401"):
        caller.call(ElsmartWire.load().write(envelope("case.archived", CASE)))


def test_portal_refuses_invalid_calls_with_a_client_fault(portal):
    from hub.soap import SOAP_NS

    body = (f'<s:Envelope xmlns:s="{SOAP_NS}"><s:Body><e:UpdateStatus '
            f'xmlns:e="urn:gridhub:elsmart:v1"><e:MessageId>m-1</e:MessageId>'
            f"<e:CaseRef>SE-1000</e:CaseRef><e:Status>KANSKE</e:Status></e:UpdateStatus>"
            f"</s:Body></s:Envelope>").encode()
    answer = requests.post(portal.soap_url, data=body, timeout=5,
                           auth=(PORTAL_USER, PORTAL_PASSWORD))
    assert answer.status_code == 500
    assert b"soap:Client" in answer.content and b"e:Status" in answer.content
    assert portal.state.snapshot()["cases"] == {}


def test_control_send_makes_the_portal_call_gridhub(portal, connector, hub_inbound):
    message = envelope("case.submitted", CASE)
    answer = requests.post(portal.url + "/_control/send", data=message.model_dump_json(),
                           timeout=10)
    assert answer.json() == {"ack": message.message_id}
    assert [m.message_id for m in hub_inbound.published] == [message.message_id]
    hub_inbound.error = RuntimeError("broker down")
    failed = requests.post(portal.url + "/_control/send",
                           data=envelope("case.cancelled", CASE).model_dump_json(), timeout=10)
    assert failed.status_code == 502 and failed.json()["class"] == "TargetServerError"
    junk = requests.post(portal.url + "/_control/send", data=b"{}", timeout=10)
    assert junk.status_code == 400


def test_simulators_load_through_entry_points():
    from connectors.notify.simulator import NotifySimulator
    from hub.simulator import load

    assert load("elsmart") is ElsmartSimulator
    assert load("notify") is NotifySimulator
