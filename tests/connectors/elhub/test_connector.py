"""deliver() over real sockets to the datahub simulator: outcomes and every failure class."""

from __future__ import annotations

import pytest

from connectors.elhub import ElhubConnector
from connectors.elhub.simulator import ElhubSimulator
from hub.errors import (
    ConfigurationError,
    InvalidMessage,
    TargetRejected,
    TargetServerError,
    TargetTimeout,
    TargetUnavailable,
)
from tests.conftest import free_port
from tests.connectors.elhub.conftest import (
    KNOWN_GSRN,
    NEW_GSRN,
    UNKNOWN_GSRN,
    KeyPair,
    RecordingInbound,
    settings_for,
)
from tests.connectors.elhub.test_documents import NEW, collected, updated


def test_a_new_metering_point_is_accepted_with_a_39_reply(
        connector: ElhubConnector, simulator: ElhubSimulator) -> None:
    message = updated("new", **NEW)
    (reply,) = connector.deliver(message)
    assert reply.type == "meteringpoint.acknowledged"
    assert reply.payload == {"status": "39", "original_message_id": message.message_id,
                             "gsrn": NEW_GSRN, "event": "new"}  # 121 accepted: activate next
    assert reply.case_id == message.case_id and reply.causation_id == message.message_id
    assert simulator.hub.metering_points[NEW_GSRN]["status"] == "new"
    assert connector.deliver(message) == [reply]  # a retry yields the same reply id


def test_activation_then_meter_change_update_the_datahub(
        connector: ElhubConnector, simulator: ElhubSimulator) -> None:
    connector.deliver(updated("new", **NEW))
    connector.deliver(updated("activate", gsrn=NEW_GSRN))
    connector.deliver(updated("meter_change", gsrn=NEW_GSRN, meter_number="6970631400000077"))
    assert simulator.hub.metering_points[NEW_GSRN] | {} == {
        "status": "active", "meter_number": "6970631400000077",
        "grid_owner": "7080005051019", "type": "E17"}  # a consumption point


def test_meter_change_for_an_unknown_gsrn_is_rejected_41_with_reason(
        connector: ElhubConnector) -> None:
    message = updated("meter_change", gsrn=UNKNOWN_GSRN, meter_number="6970631400000009")
    with pytest.raises(TargetRejected) as info:
        connector.deliver(message)
    remote = info.value.remote
    assert remote is not None and (remote.kind, remote.status) == ("elhub-ack", "41")
    assert remote.details["reasons"] == ["E10"]
    assert remote.details["original_document"] == message.message_id
    assert "E10 Installation address or metering point not identifiable" in str(info.value)


def test_a_second_new_for_a_known_gsrn_is_rejected(connector: ElhubConnector) -> None:
    with pytest.raises(TargetRejected, match="E10"):
        connector.deliver(updated("new", **NEW | {"grid_area": "10YNO-2--------T"},
                                  gsrn=KNOWN_GSRN))


def test_metering_values_are_taken_in_without_reply(connector: ElhubConnector,
                                                    simulator: ElhubSimulator) -> None:
    assert connector.deliver(collected()) == []
    assert simulator.hub.values_received == {KNOWN_GSRN: 96}


def test_values_for_an_unknown_metering_point_name_the_rejected_series(
        connector: ElhubConnector) -> None:
    with pytest.raises(TargetRejected) as info:
        connector.deliver(collected(gsrn=UNKNOWN_GSRN))
    assert info.value.remote is not None
    assert info.value.remote.details["reasons"] == ["E10"]
    assert info.value.remote.details["original_payload"]


def test_timeout_is_transient(connector: ElhubConnector, simulator: ElhubSimulator) -> None:
    simulator.fail("slow")
    with pytest.raises(TargetTimeout, match=r"no answer within 0\.5s"):
        connector.deliver(collected())


def test_server_fault_is_transient_and_keeps_the_elhub_detail(
        connector: ElhubConnector, simulator: ElhubSimulator) -> None:
    simulator.fail("5xx")
    with pytest.raises(TargetServerError) as info:
        connector.deliver(collected())
    remote = info.value.remote
    assert remote is not None and remote.status == "Server"
    assert remote.details["CodeGroup"] == "System"


def test_client_fault_is_permanent(connector: ElhubConnector,
                                   simulator: ElhubSimulator) -> None:
    simulator.fail("soap-fault")
    with pytest.raises(TargetRejected) as info:
        connector.deliver(updated("activate"))
    assert info.value.remote is not None and info.value.remote.status == "Client"


def test_reject_mode_answers_41_to_everything(connector: ElhubConnector,
                                              simulator: ElhubSimulator) -> None:
    simulator.fail("reject")
    with pytest.raises(TargetRejected) as info:
        connector.deliver(updated("deactivate"))
    assert info.value.remote is not None and info.value.remote.details["reasons"] == ["E14"]


def test_down_is_unavailable_and_recovers(connector: ElhubConnector,
                                          simulator: ElhubSimulator) -> None:
    simulator.fail("down")
    with pytest.raises(TargetUnavailable):
        connector.deliver(collected())
    assert not connector.reachable()
    simulator.fail("none")
    assert connector.reachable()
    assert connector.deliver(collected()) == []


def test_refused_connection_is_unavailable(keypair: KeyPair, inbound: RecordingInbound) -> None:
    settings = {"url": f"http://127.0.0.1:{free_port()}", "certificate": str(keypair.certificate),
                "private_key": str(keypair.private_key), "timeout": 0.5, "poll_interval": 0,
                "elhub_certificate": str(keypair.certificate)}
    with pytest.raises(TargetUnavailable):
        ElhubConnector(settings, inbound).deliver(collected())


def test_an_unsigned_message_is_refused_as_a_security_fault(
        simulator: ElhubSimulator, inbound: RecordingInbound) -> None:
    conn = ElhubConnector({"url": simulator.url, "sign": False, "timeout": 2,
                           "poll_interval": 0}, inbound)
    with pytest.raises(TargetRejected) as info:
        conn.deliver(collected())
    assert info.value.remote is not None
    assert info.value.remote.details["CodeGroup"] == "Security"
    assert "not signed" in info.value.remote.details["FaultText"]
    assert simulator.hub.values_received == {}


def test_a_certificate_the_datahub_does_not_know_is_refused(
        simulator: ElhubSimulator, other_keypair: KeyPair, inbound: RecordingInbound) -> None:
    conn = ElhubConnector(settings_for(simulator, other_keypair, timeout=2), inbound)
    with pytest.raises(TargetRejected) as info:
        conn.deliver(collected())
    assert info.value.remote is not None
    assert "not the one this party registered" in info.value.remote.details["FaultText"]


def test_an_invalid_message_never_leaves(connector: ElhubConnector,
                                         simulator: ElhubSimulator) -> None:
    with pytest.raises(InvalidMessage, match=r"payload\.grid_area"):
        connector.deliver(updated("new", meter_number="1", address=NEW["address"]))
    with pytest.raises(InvalidMessage, match=r"takes meteringpoint\.updated"):
        connector.deliver(collected().model_copy(update={"type": "workorder.created"}))
    assert simulator.faults == [] and simulator.hub.values_received == {}


def test_an_encrypted_key_is_read_with_its_password(tmp_path, simulator: ElhubSimulator,
                                                    inbound: RecordingInbound) -> None:
    from tests.connectors.elhub.conftest import make_keypair

    pair = make_keypair(tmp_path, "987654325", password=b"hemmelig-passord")
    simulator._trusted = pair.pem  # this party's registered certificate
    conn = ElhubConnector(settings_for(simulator, pair, timeout=2,
                                       private_key_password="hemmelig-passord"), inbound)
    assert conn.deliver(collected()) == []
    with pytest.raises(ConfigurationError, match="cannot load the key pair") as info:
        ElhubConnector(settings_for(simulator, pair, private_key_password="feil"), inbound)
    assert "feil" not in str(info.value)


def test_settings_are_checked(keypair: KeyPair, inbound: RecordingInbound,
                              simulator: ElhubSimulator) -> None:
    with pytest.raises(ConfigurationError, match="certificate and private_key"):
        ElhubConnector({"url": simulator.url}, inbound)
    with pytest.raises(ConfigurationError, match="GLN check digit"):
        ElhubConnector(settings_for(simulator, keypair, sender_gln="7080005051010"), inbound)
    with pytest.raises(ConfigurationError, match="url must be"):
        ElhubConnector(settings_for(simulator, keypair, url="ftp://x"), inbound)
