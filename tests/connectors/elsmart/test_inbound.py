"""Inbound over real sockets: the simulated portal calls gridhub's SOAP endpoint."""

from __future__ import annotations

import re
import socket
import threading
import time

import pytest
import requests

from connectors.elsmart import ElsmartConnector
from hub.errors import ConfigurationError, TargetRejected, TargetServerError
from schemas.payloads import parse_payload
from tests.connectors.elsmart.conftest import RecordingInbound
from tests.factories import envelope, norwegian_case, swedish_case

CASE = swedish_case()
INBOUND = ["case.submitted", "case.resubmitted", "case.completion.submitted", "case.cancelled",
           "case.deletion.requested", "case.note.added", "case.attachment.added",
           "facility.lookup.requested"]


@pytest.mark.parametrize("type_", INBOUND)
def test_each_operation_publishes_its_canonical_message(connector, portal, hub_inbound, type_):
    message = envelope(type_, norwegian_case(2))
    acked = portal.send(message)
    assert acked == message.message_id
    [published] = hub_inbound.published
    assert (published.type, published.case_id, published.source) == (type_, "NO-2002",
                                                                      "elsmart")
    assert published.message_id == message.message_id
    assert published.payload == parse_payload(message).model_dump(mode="json")
    assert portal.state.snapshot()["sent"][-1]["ack"] == message.message_id


def test_submit_helper_sends_a_whole_case(connector, portal, hub_inbound):
    portal.submit(CASE)
    portal.submit(CASE, "case.completion.submitted")
    assert [m.type for m in hub_inbound.published] == ["case.submitted",
                                                       "case.completion.submitted"]
    assert hub_inbound.published[0].payload["reference"] == "MEE9541"


def test_answer_comes_only_after_publish_returned(connector, portal, hub_inbound):
    hub_inbound.gate = threading.Event()
    done: list[float] = []
    caller = threading.Thread(target=lambda: (portal.call(
        "case.note.added", "SE-1000", envelope("case.note.added", CASE).payload),
        done.append(time.monotonic())))
    caller.start()
    time.sleep(0.3)
    assert done == [] and hub_inbound.published == []
    opened = time.monotonic()
    hub_inbound.gate.set()
    caller.join(5)
    assert done and done[0] >= opened
    assert len(hub_inbound.published) == 1


def test_publish_failure_is_a_server_fault_the_portal_retries(connector, portal, hub_inbound):
    hub_inbound.error = ConnectionError("broker gone")
    with pytest.raises(TargetServerError) as info:
        portal.send(envelope("case.cancelled", CASE))
    assert info.value.remote.status == "Server"
    assert "retry with the same MessageId" in info.value.remote.message


def test_invalid_input_is_a_client_fault_naming_the_element(connector, portal, hub_inbound):
    from connectors.elsmart import ElsmartConnector

    wire = ElsmartConnector.to_wire(envelope("facility.lookup.requested", CASE,
                                             payload={"facility_id": str(CASE.facilities[0]
                                                      .facility_id.reveal()),
                                                      "overwrite": True})).decode()
    ean = re.search(r"<e:Ean>(\d+)</e:Ean>", wire).group(1)
    bad = wire.replace(ean, ean[:-1] + str((int(ean[-1]) + 1) % 10))
    with pytest.raises(TargetRejected) as info:
        portal.call_raw(bad.encode())
    assert info.value.remote.status == "Client"
    assert "LookupFacility/e:Ean" in info.value.remote.message
    assert "check digit" in info.value.remote.message
    assert hub_inbound.published == []


def test_outbound_operation_sent_inbound_is_refused(connector, portal, hub_inbound):
    from connectors.elsmart import ElsmartConnector

    wire = ElsmartConnector.to_wire(envelope("case.approved", CASE))
    with pytest.raises(TargetRejected, match="unknown operation UpdateStatus"):
        portal.call_raw(wire)
    with pytest.raises(TargetRejected, match="soap:Body"):
        portal.call_raw(b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">'
                        b"<s:Body/></s:Envelope>")
    assert hub_inbound.published == []


def test_authentication_is_required(connector, hub_inbound):
    from connectors.elsmart import ElsmartConnector

    wire = ElsmartConnector.to_wire(envelope("case.cancelled", CASE))
    anonymous = requests.post(connector.inbound_url, data=wire, timeout=5)
    wrong = requests.post(connector.inbound_url, data=wire, timeout=5, auth=("x", "y"))
    assert (anonymous.status_code, wrong.status_code) == (401, 401)
    assert hub_inbound.published == []


def test_wsdl_is_served(connector):
    from tests.connectors.elsmart.conftest import INBOUND_PASSWORD, INBOUND_USER

    answer = requests.get(connector.inbound_url + "?wsdl", timeout=5,
                          auth=(INBOUND_USER, INBOUND_PASSWORD))
    assert answer.status_code == 200
    assert b'wsdl:service name="GridhubService"' in answer.content


def test_no_endpoint_without_listen_port(portal):
    from connectors.elsmart import ElsmartConnector
    from tests.connectors.elsmart.conftest import RecordingInbound

    conn = ElsmartConnector({"url": portal.soap_url}, RecordingInbound())
    conn.start()
    assert conn.inbound_url is None
    conn.stop()


def test_stopped_endpoint_refuses_calls_on_kept_alive_connections(portal):
    from connectors.elsmart import ElsmartConnector
    from tests.connectors.elsmart.conftest import (
        INBOUND_PASSWORD,
        INBOUND_USER,
        RecordingInbound,
    )

    inbound = RecordingInbound()
    conn = ElsmartConnector({"listen_port": 0, "inbound_username": INBOUND_USER,
                             "inbound_password": INBOUND_PASSWORD}, inbound)
    conn.start()
    url = conn.inbound_url
    wire = ElsmartConnector.to_wire(envelope("case.cancelled", CASE))
    with requests.Session() as session:
        session.auth = (INBOUND_USER, INBOUND_PASSWORD)
        assert session.post(url, data=wire, timeout=5).status_code == 200
        conn.stop()
        # The portal sees a dropped connection (and retries later with the same MessageId).
        with pytest.raises(requests.ConnectionError):
            session.post(url, data=ElsmartConnector.to_wire(
                envelope("case.note.added", CASE)), timeout=5)
    assert [m.type for m in inbound.published] == ["case.cancelled"]


def test_a_taken_port_stops_the_start_naming_the_setting():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        conn = ElsmartConnector({"url": "http://127.0.0.1:9/portal", "listen_port": port,
                                 "inbound_username": "elsmart",
                                 "inbound_password": "test-inbound-secret"}, RecordingInbound())
        with pytest.raises(ConfigurationError) as info:
            conn.start()
    assert info.value.where == "connectors.elsmart.settings.listen_port"
    assert f"cannot listen on 127.0.0.1:{port}" in info.value.message
