"""The KIS simulator itself: seed data, auth, control endpoint, persistence, strictness."""

import base64
import json
import socket
import urllib.error
import urllib.request

from lxml import etree

from connectors.kis.sim_state import seed_data
from connectors.kis.simulator import KisSimulator
from hub.simulator import FailureMode
from schemas.identifiers import Gsrn
from tests.connectors.kis.conftest import PASSWORD
from tests.factories import envelope, swedish_case

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
AUTH = "Basic " + base64.b64encode(f"gridhub:{PASSWORD}".encode()).decode()


def _call(url, body=b"", method="POST", auth=AUTH, headers=None):
    request = urllib.request.Request(url, data=body if method == "POST" else None,
                                     method=method, headers={**(headers or {})})
    if auth:
        request.add_header("Authorization", auth)
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_seed_facilities_have_valid_gsrns_and_match_the_factories():
    data = seed_data()
    for facility_id in data["facilities"]:
        assert Gsrn(facility_id).reveal() == facility_id
    for seed in (0, 3):
        expected = swedish_case(seed).facilities[0]
        found = data["facilities"][expected.facility_id.reveal()]
        assert found["meter_number"] == expected.meter_number
        assert found["technical_number"] == expected.technical_number
        assert found["address"]["street"] == expected.address.street
    assert sum(f.startswith("735999") for f in data["facilities"]) == 26  # + the example
    assert sum(f.startswith("707057") for f in data["facilities"]) == 5


def test_every_call_needs_credentials(kis_sim):
    status, _ = _call(kis_sim.endpoint, b"<x/>", auth=None)
    assert status == 401
    status, _ = _call(kis_sim.url + "/_control/state", method="GET", auth=None)
    assert status == 401


def test_control_endpoint_sets_the_failure_mode(kis_sim):
    status, body = _call(kis_sim.url + "/_control/fail", json.dumps({"mode": "5xx"}).encode())
    assert (status, json.loads(body)) == (200, {"mode": "5xx"})
    assert kis_sim.failure == FailureMode.SERVER_ERROR
    status, _ = _call(kis_sim.url + "/_control/fail", b'{"mode": "sometimes"}')
    assert status == 400


def test_control_works_while_down(kis_sim):
    kis_sim.fail("down")
    status, _ = _call(kis_sim.url + "/_control/fail", b'{"mode": "none"}')
    assert status == 200 and kis_sim.failure == FailureMode.NONE


def test_down_closes_the_connection_without_an_answer(kis_sim):
    kis_sim.fail("down")
    with socket.create_connection((kis_sim.host, kis_sim.port), timeout=2) as sock:
        sock.sendall(b"POST /kis HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
                     b"Authorization: " + AUTH.encode() + b"\r\n\r\n")
        assert sock.recv(100) == b""


def test_control_billing_walks_the_chain(kis_sim):
    states = []
    for _ in range(5):
        status, body = _call(kis_sim.url + "/_control/billing", b'{"case_ref": "SE-1000"}')
        assert status == 200
        states.append(json.loads(body)["kind"])
    assert states == ["OFFERTSKICKAD", "OFFERTBESTALLD", "FAKTURERAD", "BETALD", "BETALD"]
    status, body = _call(kis_sim.url + "/_control/state", method="GET")
    assert json.loads(body)["events"] == 5
    status, _ = _call(kis_sim.url + "/_control/billing", b'{"case_ref": "x", "state": "free"}')
    assert status == 400


def test_a_request_breaking_the_contract_is_a_client_fault(kis_sim):
    body = (f"<soap:Envelope xmlns:soap='{SOAP}'><soap:Body>"
            "<k:LookupFacilityRequest xmlns:k='urn:gridhub:kis:v1'><k:CaseRef>SE-1</k:CaseRef>"
            "</k:LookupFacilityRequest></soap:Body></soap:Envelope>").encode()
    status, answer = _call(kis_sim.endpoint, body)
    fault = etree.fromstring(answer).find(f"{{{SOAP}}}Body/{{{SOAP}}}Fault")
    assert status == 500 and fault.findtext("faultcode") == "soap:Client"
    assert "LookupFacilityRequest" in fault.findtext("faultstring")


def test_state_survives_a_restart(tmp_path, make_connector):
    sim = KisSimulator(state_dir=tmp_path, password=PASSWORD).start()
    message = envelope("customer.registered", swedish_case())
    try:
        make_connector(sim).deliver(message)
        sim.add_billing_event("SE-1000")
    finally:
        sim.stop()
    again = KisSimulator(state_dir=tmp_path, password=PASSWORD)
    assert message.message_id in again.state.data["registrations"]
    assert again.state.data["billing"] == {"SE-1000": "quote_sent"}
    assert json.loads((tmp_path / "kis.json").read_text())["events"][0]["event_id"] == "EV00000001"
