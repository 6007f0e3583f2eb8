"""Hostile input to the elhub connector: every bad document is an InvalidMessage naming what
and where (no crash, no entity ever expanded), and the next good document still translates;
at the datahub, an unsigned, tampered or foreign-signed envelope is a Security fault and the
next good message is still taken in."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable

import pytest
from lxml import etree

from connectors.elhub import ElhubConnector, polling, values
from connectors.elhub.simulator import ElhubSimulator
from connectors.elhub.wssecurity import Signer
from hub import soap
from hub.errors import InvalidMessage, TargetRejected
from hub.xmlsafe import parse
from tests.connectors.elhub.conftest import KNOWN_GSRN, KeyPair, RecordingInbound, settings_for
from tests.connectors.elhub.test_documents import collected

GOOD = ElhubConnector.to_wire(collected())
CD_V2 = b"urn:no:elhub:emif:metering:CollectedData:v2"


def _replace(old: bytes, new: bytes, count: int = 1) -> Callable[[], bytes]:
    def make() -> bytes:
        assert old in GOOD
        return GOOD.replace(old, new, count)
    return make


def _bad_check_digit() -> bytes:
    wrong = KNOWN_GSRN[:-1] + str((int(KNOWN_GSRN[-1]) + 1) % 10)
    return GOOD.replace(KNOWN_GSRN.encode(), wrong.encode())


LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;")
                                                    * 10) for i in range(1, 10))
          + b']><lolz>&lol9;</lolz>')
XXE = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
       b'<d>&xxe;</d>')
HIDDEN_DOCTYPE = b"<!--" + b" " * 8000 + b"-->" + XXE.split(b"?>", 1)[1]
SOAP_FAULT = soap.fault("Client", "Validation of the document failed", "E14")

HOSTILE: dict[str, tuple[Callable[[], bytes], str, str]] = {
    # name: (body, what the error says, where it says it is)
    "malformed": (lambda: GOOD[: len(GOOD) // 2], "malformed XML", "elhub document"),
    "not xml": (lambda: b'{"eventType": "CollectedData"}', "malformed XML", "elhub document"),
    "empty": (lambda: b"", "malformed XML", "elhub document"),
    "wrong namespace": (_replace(CD_V2, b"urn:no:elhub:emif:metering:CollectedData:v3", -1),
                        "carries no canonical message", "CollectedData"),
    "xxe": (lambda: XXE, "DOCTYPE", "elhub document"),
    "billion laughs": (lambda: LAUGHS, "DOCTYPE", "elhub document"),
    "doctype after 8 KB": (lambda: HIDDEN_DOCTYPE, "DOCTYPE", "elhub document"),
    "50 MB body": (lambda: GOOD.replace(b"?>", b"?><!--" + b"x" * (50 * 1024 * 1024) + b"-->",
                                        1), "more than the limit", "elhub document"),
    "soap fault": (lambda: SOAP_FAULT, "SOAP Client fault", "Fault"),
    "empty soap body": (lambda: soap.envelope(etree.Element("x"))
                        .replace(b"<x/>", b""), "missing or empty", "SOAP envelope"),
    "wrong type": (_replace(b">0.125<", b">lots<"), "breaks the contract", "CollectedData"),
    "extra element": (_replace(b"</cd:CollectedData>", b"<cd:Debug>1</cd:Debug>"
                               b"</cd:CollectedData>"), "breaks the contract", "CollectedData"),
    "bad check digit": (_bad_check_digit, "check digit", "gsrn"),
    "observations missing": (lambda: _drop_observations(3), "has 93 observations",
                             "PayloadEnergyTimeSeries"),
}


def _drop_observations(n: int) -> bytes:
    root = parse(GOOD)
    series = root.find(values.codes().series)
    for element in list(series.iterchildren(values.codes().observation))[-n:]:
        series.remove(element)
    return etree.tostring(root)


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_document_is_named_and_the_next_good_one_flows(name: str) -> None:
    make, what, where = HOSTILE[name]
    with pytest.raises(InvalidMessage) as info:
        ElhubConnector.to_canonical(make())
    text = str(info.value)
    assert what in text and where in text, text
    assert "root:" not in text  # nothing of /etc/passwd, ever
    (message,) = ElhubConnector.to_canonical(GOOD)
    assert message.payload["gsrn"] == KNOWN_GSRN


def _post(simulator: ElhubSimulator, data: bytes) -> bytes:
    request = urllib.request.Request(f"{simulator.url}/WebService/services/MeteringValues",
                                     data=data, method="POST",
                                     headers={"Content-Type": "text/xml; charset=utf-8",
                                              "SOAPAction": "CollectedData"})
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=5)
    return info.value.read()


def _signed_request(keypair: KeyPair) -> etree._Element:
    document = values.to_document(collected(), sender="7080005051019",
                                  recipient="7080010001009")
    document.tag = polling.METERING.tag("CollectedData")
    wrapper = etree.Element(polling.METERING.tag("CollectedDataRequest"))
    wrapper.append(document)
    envelope = parse(soap.envelope(wrapper))
    Signer(keypair.certificate, keypair.private_key).sign(envelope)
    return envelope


@pytest.mark.parametrize("attack", ["unsigned", "tampered", "foreign key", "not soap"])
def test_the_datahub_refuses_a_bad_envelope_and_takes_the_next_good_one(
        attack: str, simulator: ElhubSimulator, keypair: KeyPair, other_keypair: KeyPair,
        inbound: RecordingInbound) -> None:
    if attack == "unsigned":
        data = etree.tostring(parse(soap.envelope(_signed_request(keypair)[1][0])))
    elif attack == "tampered":
        data = etree.tostring(_signed_request(keypair)).replace(b">0.125<", b">9.125<", 1)
    elif attack == "foreign key":
        data = etree.tostring(_signed_request(other_keypair))
    else:
        data = b"<not-soap/>"
    answer = _post(simulator, data)
    assert b"faultcode" in answer and b"Client" in answer
    assert (b">Security</" in answer) == (attack != "not soap"), answer  # the CodeGroup
    assert simulator.hub.values_received == {}
    connector = ElhubConnector(settings_for(simulator, keypair, timeout=5), inbound)
    assert connector.deliver(collected()) == []
    assert simulator.hub.values_received == {KNOWN_GSRN: 96}


def test_a_soap_fault_from_the_datahub_is_permanent_and_the_next_call_flows(
        simulator: ElhubSimulator, keypair: KeyPair, inbound: RecordingInbound) -> None:
    connector = ElhubConnector(settings_for(simulator, keypair, timeout=5), inbound)
    simulator.fail("soap-fault")
    with pytest.raises(TargetRejected) as info:
        connector.deliver(collected())
    assert info.value.remote is not None and info.value.remote.status == "Client"
    assert "MeteringValues.CollectedData" in str(info.value)
    simulator.fail("none")
    assert connector.deliver(collected()) == []
    assert simulator.hub.values_received == {KNOWN_GSRN: 96}
