"""Connecting to the real Elhub: a URL per service on the WSDLs' path pattern, the algorithm
suite a setting, every answer verified against Elhub's certificate; the simulator enforcing
the policy, the SOAPAction and the role a process takes."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from lxml import etree

from connectors.elhub import ElhubConnector, masterdata, polling
from connectors.elhub.simulator import ElhubSimulator
from connectors.elhub.soapclient import ElhubClient
from connectors.elhub.wssecurity import Signer
from hub import soap
from hub.errors import ConfigurationError, InvalidMessage, PermanentError, TargetRejected
from hub.xmlsafe import parse
from tests.connectors.elhub.conftest import (
    KNOWN_GSRN,
    KeyPair,
    RecordingInbound,
    settings_for,
    start_simulator,
)
from tests.connectors.elhub.test_documents import collected, updated


def test_every_service_has_its_own_url_on_the_wsdl_path_pattern(
        simulator: ElhubSimulator, keypair: KeyPair) -> None:
    client = ElhubClient(settings_for(simulator, keypair, url="https://elhub.example:9443/"))
    assert client.endpoint(polling.POLL_MARKET) == \
        "https://elhub.example:9443/WebService/services/PollMarketProcesses"
    assert client.endpoint(polling.QUERY) == "https://elhub.example:9443/WebService/services/Query"
    moved = ElhubClient(settings_for(simulator, keypair, url="https://elhub.example",
                                     service_path="/ws/v2/",
                                     endpoints={"MeteringValues": "https://mv.example/x/"}))
    assert moved.endpoint(polling.MARKET) == "https://elhub.example/ws/v2/MarketProcesses"
    assert moved.endpoint(polling.METERING) == "https://mv.example/x"
    with pytest.raises(ConfigurationError, match="endpoints maps service names") as info:
        ElhubClient(settings_for(simulator, keypair, endpoints={"Metering": "https://x"}))
    assert info.value.where == "connectors.elhub.settings.endpoints"


def test_settings_name_what_is_missing_or_wrong(simulator: ElhubSimulator,
                                                keypair: KeyPair) -> None:
    settings = settings_for(simulator, keypair)
    del settings["elhub_certificate"]
    with pytest.raises(ConfigurationError, match="elhub_certificate") as info:
        ElhubClient(settings)
    assert info.value.where == "connectors.elhub.settings.elhub_certificate"
    with pytest.raises(ConfigurationError, match="unknown algorithm suite 'Basic128'"):
        ElhubClient(settings_for(simulator, keypair, algorithm_suite="Basic128"))
    with pytest.raises(ConfigurationError, match="not a readable PEM certificate"):
        ElhubClient(settings_for(simulator, keypair, elhub_certificate=str(keypair.private_key)))


@pytest.fixture
def sha256_simulator(keypair: KeyPair) -> Iterator[ElhubSimulator]:
    sim = start_simulator(keypair, algorithm_suite="Basic256Sha256")
    yield sim
    sim.stop()


def test_the_algorithm_suite_is_a_setting_both_sides_agree_on(
        sha256_simulator: ElhubSimulator, keypair: KeyPair, inbound: RecordingInbound) -> None:
    sha1 = ElhubConnector(settings_for(sha256_simulator, keypair), inbound)
    with pytest.raises(TargetRejected) as info:
        sha1.deliver(collected())
    assert info.value.remote is not None and info.value.remote.details["CodeGroup"] == "Security"
    assert "rsa-sha1 is not allowed" in info.value.remote.details["FaultText"]
    sha256 = ElhubConnector(settings_for(sha256_simulator, keypair,
                                         algorithm_suite="Basic256Sha256"), inbound)
    assert sha256.deliver(collected()) == []
    assert sha256_simulator.hub.values_received == {KNOWN_GSRN: 96}


def test_an_unsigned_answer_is_a_permanent_error(keypair: KeyPair,
                                                 inbound: RecordingInbound) -> None:
    sim = start_simulator(keypair, sign_answers=False)
    try:
        connector = ElhubConnector(settings_for(sim, keypair, elhub_certificate=str(
            keypair.certificate)), inbound)
        with pytest.raises(InvalidMessage, match="fails WS-Security: the message is not signed"
                           ) as info:
            connector.deliver(collected())
    finally:
        sim.stop()
    assert isinstance(info.value, PermanentError)
    assert info.value.remote is not None and info.value.remote.kind == "wss"


def test_an_answer_signed_by_another_key_is_a_permanent_error(
        simulator: ElhubSimulator, keypair: KeyPair, other_keypair: KeyPair,
        inbound: RecordingInbound) -> None:
    connector = ElhubConnector(settings_for(simulator, keypair, elhub_certificate=str(
        other_keypair.certificate)), inbound)  # not the certificate the simulator signs with
    with pytest.raises(InvalidMessage, match="not the one this party registered"):
        connector.deliver(collected())
    assert connector.poller is None  # poll_interval 0 in these settings


def _post(sim: ElhubSimulator, keypair: KeyPair, wrapper: etree._Element, path: str,
          soap_action: str) -> bytes:
    envelope = parse(soap.envelope(wrapper))
    Signer(keypair.certificate, keypair.private_key).sign(envelope)
    request = urllib.request.Request(f"{sim.url}{path}", data=etree.tostring(envelope),
                                     method="POST", headers={"Content-Type": soap.CONTENT_TYPE,
                                                             "SOAPAction": soap_action})
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=5)
    return info.value.read()


def _master_data(**context: str) -> etree._Element:
    root = masterdata.to_document(updated("activate"), sender="7080005051019",
                                  recipient="7080010001009")
    for name, value in context.items():
        node = root.find(f"{{*}}ProcessEnergyContext/{{*}}{name}")
        assert node is not None
        node.text = value
    wrapper = etree.Element(polling.MARKET.tag("RequestUpdateMasterDataMeteringPointRequest"))
    wrapper.append(root)
    return wrapper


def test_the_simulator_checks_soapaction_and_the_role_of_the_process(
        simulator: ElhubSimulator, keypair: KeyPair, inbound: RecordingInbound) -> None:
    path = "/WebService/services/MarketProcesses"
    wrong_action = _post(simulator, keypair, _master_data(), path, '"CollectedData"')
    assert b"SOAPAction 'CollectedData' does not match the operation " \
           b"RequestUpdateMasterDataMeteringPoint" in wrong_action
    wrong_role = _post(simulator, keypair, _master_data(EnergyBusinessProcessRole="DDQ"), path,
                       '"RequestUpdateMasterDataMeteringPoint"')
    assert b"role DDQ may not send in process BRS-NO-122 (allowed: DDM)" in wrong_role
    old_path = _post(simulator, keypair, _master_data(), "/emif/MarketProcesses",
                     '"RequestUpdateMasterDataMeteringPoint"')
    assert b"no SOAP service at POST /emif/MarketProcesses" in old_path
    assert simulator.hub.metering_points[KNOWN_GSRN]["status"] == "active"
    connector = ElhubConnector(settings_for(simulator, keypair), inbound)
    assert connector.deliver(updated("deactivate"))[0].payload["status"] == "39"
