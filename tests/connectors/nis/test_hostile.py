"""Hostile input around NIS: documents given to the translator, answers from a NIS that
misbehaves, and wrong credentials at the simulator. Each is an error of ours naming what and
where; the next good call still works."""

from __future__ import annotations

import pytest
import requests

from connectors.nis.connector import NisConnector
from hub.errors import InvalidMessage, TargetRejected, TargetServerError
from hub.soap import fault
from hub.xmlsafe import MAX_XML_BYTES
from tests.connectors.nis.conftest import PASSWORD, NoInbound
from tests.factories import envelope, swedish_case
from tests.support.canned import canned

CASE = swedish_case(4)
REQUEST = envelope("griddata.requested", CASE)
REGISTRATION = NisConnector.to_wire(envelope("installation.registered", CASE))
ANSWER = NisConnector.to_wire(envelope("griddata.answered", CASE))
DOCTYPE = b'<?xml version="1.0"?>\n<!DOCTYPE n [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE n [<!ENTITY a "aaaaaaaaaa">'
          + b"".join(b'<!ENTITY a%d "%s">' % (i, (b"&a%d;" % (i - 1) if i > 1 else b"&a;") * 10)
                     for i in range(1, 10))
          + b"]>\n")
XML = "application/xml; charset=utf-8"


def _bad_gsrn(wire: bytes) -> bytes:
    good = str(CASE.facilities[0].facility_id.reveal())
    assert good.encode() in wire
    return wire.replace(good.encode(), (good[:-1] + str((int(good[-1]) + 1) % 10)).encode())


def _body(wire: bytes) -> bytes:
    return wire.split(b"?>", 1)[1] if wire.startswith(b"<?xml") else wire


HOSTILE_DOCUMENTS = {
    "malformed": (b"<n:GridDataResponse xmlns:n='urn:gridhub:nis:v1'><n:CaseRef>",
                  "malformed XML"),
    "json": (b'{"case_ref": "SE-1004", "cable_count": "many", "extra": 1}', "malformed XML"),
    "wrong namespace": (ANSWER.replace(b"urn:gridhub:nis:v1", b"urn:evil:nis"),
                        "is not a NIS document"),
    "xxe": (DOCTYPE + _body(REGISTRATION), "DOCTYPE"),
    "billion laughs": (LAUGHS + b'<n:X xmlns:n="urn:gridhub:nis:v1">&a9;</n:X>', "DOCTYPE"),
    "soap fault": (fault("Server", "down"), "is not a NIS document"),
    "bad gsrn": (_bad_gsrn(REGISTRATION), "check digit"),
    "wrong type": (ANSWER.replace(b"<n:Count>2", b"<n:Count>two"), "breaks nis.xsd"),
    "oversized": (b"<a>" + b" " * MAX_XML_BYTES + b"</a>", "more than the limit"),
}


@pytest.mark.parametrize("name", list(HOSTILE_DOCUMENTS))
def test_hostile_document_is_invalid_naming_what_and_where(name):
    document, expected = HOSTILE_DOCUMENTS[name]
    with pytest.raises(InvalidMessage) as info:
        NisConnector.to_canonical(document)
    assert expected in info.value.message, info.value.message
    assert info.value.where
    assert NisConnector.to_canonical(REGISTRATION)[0].case_id == CASE.case_id


@pytest.fixture
def fake_nis():
    with canned(XML) as fake:
        yield fake


@pytest.mark.parametrize("status, answer, error, expected", [
    (200, b"<n:GridDataResponse", InvalidMessage, "malformed XML"),
    (200, DOCTYPE + _body(ANSWER), InvalidMessage, "DOCTYPE"),
    (200, ANSWER.replace(b"SE-1004", b"SE-9999"), InvalidMessage, "asked for 'SE-1004'"),
    (200, REGISTRATION, InvalidMessage, "expected a GridDataResponse"),
    (200, b'{"ok": true}', InvalidMessage, "malformed XML"),
    (422, DOCTYPE + b"<Error/>", TargetRejected, "HTTP 422"),
    (503, b"\x00\xff garbage", TargetServerError, "HTTP 503"),
])
def test_hostile_answers_from_nis_are_our_errors(fake_nis, status, answer, error, expected):
    fake_nis.answer = (status, answer)
    conn = NisConnector({"url": fake_nis.url + "/nis", "timeout": 2}, NoInbound())
    with pytest.raises(error) as info:
        conn.deliver(REQUEST)
    assert expected in str(info.value), str(info.value)
    assert info.value.where


@pytest.mark.parametrize("auth", [None, ("gridhub", "wrong"), ("intruder", PASSWORD)])
def test_wrong_credentials_are_refused_by_the_simulator(nis_sim, make_connector, auth):
    answer = requests.post(nis_sim.endpoint + "/griddata", data=NisConnector.to_wire(REQUEST),
                           auth=auth, timeout=5, headers={"Content-Type": XML})
    assert answer.status_code == 401
    if auth:
        with pytest.raises(TargetRejected, match="401"):
            make_connector(username=auth[0], password=auth[1]).deliver(REQUEST)
    assert make_connector().deliver(REQUEST)[0].type == "griddata.answered"


def test_simulator_refuses_hostile_xml_with_400(nis_sim, make_connector):
    for body in (DOCTYPE + _body(NisConnector.to_wire(REQUEST)), b"<not-closed", b""):
        answer = requests.post(nis_sim.endpoint + "/griddata", data=body,
                               auth=("gridhub", PASSWORD), timeout=5,
                               headers={"Content-Type": XML})
        assert answer.status_code == 400, answer.status_code
    assert make_connector().deliver(REQUEST)[0].type == "griddata.answered"
