"""The kis connector against its simulator over real sockets: operations and failure classes."""


import pytest

from connectors.kis import KisConnector
from hub.errors import (
    ConfigurationError,
    InvalidMessage,
    TargetRejected,
    TargetServerError,
    TargetTimeout,
    TargetUnavailable,
)
from schemas.payloads import parse_payload
from tests.factories import envelope, gsrn, swedish_case


def _lookup(**payload):
    return envelope("facility.lookup.requested", swedish_case(), payload=payload)


def test_lookup_by_meter_number_answers_100_with_facility_and_customer(connector):
    request = _lookup(meter_number="7350000", overwrite=False)
    [answer] = connector.deliver(request)
    parse_payload(answer)
    assert answer.type == "facility.lookup.answered" and answer.source == "kis"
    assert answer.causation_id == request.message_id and answer.case_id == "SE-1000"
    payload = answer.payload
    assert payload["status_code"] == 100 and payload["overwrite"] is False
    assert payload["facility"]["facility_id"] == gsrn(0).reveal()
    assert payload["facility"]["technical_number"] == "T-40100"
    assert payload["customer"]["name"] == "Anna Lindqvist"
    assert payload["customer"]["address"]["postcode"] == "25221"


def test_lookup_by_facility_id(connector):
    [answer] = connector.deliver(_lookup(facility_id=gsrn(4).reveal()))
    assert answer.payload["facility"]["meter_number"] == str(7350000 + 4 * 13)
    assert answer.payload["customer"]["kind"] == "company"


def test_redelivered_request_gives_the_same_reply_id(connector):
    request = _lookup(meter_number="7350013")
    assert connector.deliver(request)[0].message_id == connector.deliver(request)[0].message_id


@pytest.mark.parametrize(("payload", "code"), [
    ({"meter_number": "0000000"}, 201),
    ({"facility_id": gsrn(9999).reveal()}, 202),
    ({"facility_id": gsrn(1).reveal(), "meter_number": "7350000"}, 203),
])
def test_a_miss_is_an_answer_with_status_and_text_not_an_error(connector, payload, code):
    [answer] = connector.deliver(_lookup(**payload))
    assert answer.payload["status_code"] == code
    assert answer.payload["status_text"]
    assert answer.payload["facility"] is None and answer.payload["customer"] is None


def test_numbers_a_leaking_kis_sends_never_reach_the_hub(connector, kis_sim):
    kis_sim.leak_personal_numbers = True
    for seed in (0, 1):  # a private person and a company
        customer = kis_sim.state.data["customers"][str(880000 + seed)]
        secret = customer.get("personal_number") or customer["organisation_number"]
        [answer] = connector.deliver(_lookup(facility_id=gsrn(seed).reveal()))
        assert answer.payload["status_code"] == 100
        assert secret not in answer.model_dump_json()


def test_register_customer_is_accepted_once_per_message(connector, kis_sim):
    message = envelope("customer.registered", swedish_case())
    [confirmed] = connector.deliver(message)
    assert (confirmed.type, confirmed.payload) == (
        "case.sidetrack.updated", {"track": "customer_service", "state": "registered_in_kis"})
    assert confirmed.causation_id == message.message_id
    assert connector.deliver(message) == [confirmed]  # the same id again: a duplicate
    assert list(kis_sim.state.data["registrations"]) == [message.message_id]
    assert kis_sim.state.data["registrations"][message.message_id]["accepted"] is True


def test_register_unknown_customer_is_a_business_rejection(connector):
    message = envelope("customer.registered",
                       payload={"customer_number": "123", "facility_id": gsrn(0).reveal()})
    with pytest.raises(TargetRejected) as info:
        connector.deliver(message)
    assert info.value.remote.status == "AVVISAD"
    assert "Kundnummer 123 finns inte" in info.value.remote.message


def test_a_type_kis_does_not_take_is_permanent(connector):
    with pytest.raises(InvalidMessage, match=r"not case\.note\.added"):
        connector.deliver(envelope("case.note.added"))


# -- failure classes --------------------------------------------------------------------------

def test_soap_server_fault_is_transient_and_keeps_the_fault(connector, kis_sim):
    kis_sim.fail("5xx")
    with pytest.raises(TargetServerError) as info:
        connector.deliver(_lookup(meter_number="7350000"))
    assert info.value.remote.kind == "soap" and info.value.remote.status == "Server"
    assert "KIS database unavailable" in info.value.remote.body_excerpt


def test_soap_client_fault_is_permanent(connector, kis_sim):
    kis_sim.fail("soap-fault")
    with pytest.raises(TargetRejected) as info:
        connector.deliver(_lookup(meter_number="7350000"))
    assert info.value.remote.status == "Client"


def test_reject_is_permanent_for_both_operations(connector, kis_sim):
    kis_sim.fail("reject")
    with pytest.raises(TargetRejected) as info:
        connector.deliver(_lookup(meter_number="7350000"))
    assert info.value.remote.status == "403"
    with pytest.raises(TargetRejected, match="spärrad"):
        connector.deliver(envelope("customer.registered", swedish_case()))


def test_a_dropped_connection_is_transient(connector, kis_sim):
    kis_sim.fail("down")
    with pytest.raises(TargetUnavailable):
        connector.deliver(_lookup(meter_number="7350000"))


def test_slow_kis_times_out_within_the_time_out(connector, kis_sim):
    kis_sim.fail("slow")
    with pytest.raises(TargetTimeout):
        connector.deliver(_lookup(meter_number="7350000"))


def test_refused_connection_is_transient_and_unreachable(make_connector, own_sim):
    connector = make_connector(own_sim)
    own_sim.stop()
    assert connector.reachable() is False
    with pytest.raises(TargetUnavailable):
        connector.deliver(_lookup(meter_number="7350000"))


def test_wrong_credentials_are_permanent(make_connector):
    with pytest.raises(TargetRejected) as info:
        make_connector(password="wrong").deliver(_lookup(meter_number="7350000"))
    assert info.value.remote.status == "401"


def test_recovers_after_the_failure_ends(connector, kis_sim):
    kis_sim.fail("5xx")
    with pytest.raises(TargetServerError):
        connector.deliver(_lookup(meter_number="7350000"))
    kis_sim.fail("none")
    assert connector.deliver(_lookup(meter_number="7350000"))[0].payload["status_code"] == 100


def test_reachable_while_up(connector):
    assert connector.reachable() is True


@pytest.mark.parametrize(("settings", "where"), [
    ({"url": "ftp://kis"}, "settings.url"),
    ({"url": "http://127.0.0.1:1/kis", "timeout": "soon"}, "settings.timeout"),
    ({"url": "http://127.0.0.1:1/kis", "poll_interval": -1}, "settings.poll_interval"),
])
def test_bad_settings_are_configuration_errors(settings, where, inbound):
    with pytest.raises(ConfigurationError) as info:
        KisConnector(settings, inbound)
    assert where in str(info.value)
