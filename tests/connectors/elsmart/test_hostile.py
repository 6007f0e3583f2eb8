"""Hostile input on gridhub's inbound elsmart SOAP endpoint and on the portal simulator.

Over real sockets. Each bad call gets a SOAP Client fault (or 401/413) naming what is wrong,
nothing is published, the server survives, and the next good call is accepted.
"""

from __future__ import annotations

import re
import socket
import threading

import pytest
import requests

from connectors.elsmart import ElsmartConnector
from hub import soap
from tests.connectors.elsmart.conftest import (
    INBOUND_PASSWORD,
    INBOUND_USER,
    PORTAL_PASSWORD,
    PORTAL_USER,
)
from tests.factories import envelope, swedish_case

CASE = swedish_case(7)
AUTH = (INBOUND_USER, INBOUND_PASSWORD)
GOOD = ElsmartConnector.to_wire(envelope("case.submitted", CASE))
XXE = (b'<?xml version="1.0"?>\n<!DOCTYPE e [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
       b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
       b'<e:CancelCase xmlns:e="urn:gridhub:elsmart:v1"><e:Note>&xxe;</e:Note></e:CancelCase>'
       b"</s:Body></s:Envelope>")
LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10 if i > 1
                                               else b"&lol;" * 10) for i in range(1, 10))
          + b"]>\n<lolz>&lol9;</lolz>")
# The DOCTYPE pushed past the parser's quick 4 KB look by a long comment: caught further in.
LATE_DOCTYPE = b"<?xml version='1.0'?><!--" + b" " * 8000 + b"-->" + XXE.split(b"\n", 1)[1]
FAULT = soap.fault("Server", "portal exploded")
SOAP12 = b"http://www.w3.org/2003/05/soap-envelope"
WRONG_NS = GOOD.replace(b"urn:gridhub:elsmart:v1", b"urn:evil:elsmart:v9")


def _post(url: str, body: bytes, **kwargs: object) -> requests.Response:
    return requests.post(url, data=body, timeout=10, auth=kwargs.pop("auth", AUTH),  # type: ignore[arg-type]
                         headers={"Content-Type": soap.CONTENT_TYPE}, **kwargs)


def _fault_text(response: requests.Response) -> tuple[str, str]:
    body = soap.body_of(response.content, where="test")
    return (body.findtext("faultcode") or "", body.findtext("faultstring") or "")


def _bad_gsrn(wire: bytes) -> bytes:
    text = wire.decode()
    gsrn = str(CASE.facilities[0].facility_id.reveal())
    assert gsrn in text
    return text.replace(gsrn, gsrn[:-1] + str((int(gsrn[-1]) + 1) % 10)).encode()


SECOND = GOOD.replace(b"</soap:Body>", b'<e:CancelCase xmlns:e="urn:gridhub:elsmart:v1">'
                                      b"<e:CaseRef>SE-1</e:CaseRef></e:CancelCase></soap:Body>")


def _with_header(block: bytes) -> bytes:
    assert GOOD.count(b"<soap:Body>") == 1
    return GOOD.replace(b"<soap:Body>", b"<soap:Header>" + block + b"</soap:Header><soap:Body>")


MUST = _with_header(b'<x:Route xmlns:x="urn:evil" soap:mustUnderstand="1">a</x:Route>')
HOSTILE = {
    "second element in the body": (SECOND, "soap:Body holds 2 elements"),
    "unknown mustUnderstand header": (MUST, "header {urn:evil}Route has mustUnderstand"),
    "malformed": (b"<s:Envelope><s:Body><Submit", "malformed XML"),
    "json": (b'{"case_id": "SE-1007", "type": "case.submitted"}', "malformed XML"),
    "empty": (b"", "malformed XML"),
    "wrong namespace": (WRONG_NS, "in namespace 'urn:evil:elsmart:v9', expected "
                                   "'urn:gridhub:elsmart:v1'"),
    "soap 1.2": (GOOD.replace(soap.SOAP_NS.encode(), SOAP12), "expected a SOAP 1.1 Envelope"),
    "xxe": (XXE, "DOCTYPE"),
    "billion laughs": (LAUGHS, "DOCTYPE"),
    "late doctype": (LATE_DOCTYPE, "DOCTYPE"),
    "soap fault": (FAULT, "unknown operation Fault"),
    "bad gsrn": (_bad_gsrn(GOOD), "check digit"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_body_is_a_client_fault_and_the_next_call_flows(connector, hub_inbound, name):
    body, expected = HOSTILE[name]
    answer = _post(connector.inbound_url, body)
    assert answer.status_code == 500
    code, text = _fault_text(answer)
    assert code == "soap:Client" and expected in text, text
    assert "root:" not in answer.text  # /etc/passwd never read into an answer
    assert hub_inbound.published == []
    assert _post(connector.inbound_url, GOOD).status_code == 200
    assert [m.case_id for m in hub_inbound.published] == [CASE.case_id]


def test_bad_gsrn_fault_names_the_element_and_masks_the_number(connector, hub_inbound):
    answer = _post(connector.inbound_url, _bad_gsrn(GOOD))
    _, text = _fault_text(answer)
    assert re.search(r"Facilit\w*/", text), text  # the wire path of the bad identifier
    assert str(CASE.facilities[0].facility_id.reveal())[:-1] not in text


def _raw(url: str, framing: str, *, auth: bool = True) -> bytes:
    """Send request headers only; return what the server answers before closing."""
    host, port = url.split("//")[1].split("/")[0].split(":")
    credentials = f"Authorization: Basic {_basic(*AUTH)}\r\n" if auth else ""
    head = (f"POST /elsmart HTTP/1.1\r\nHost: {host}\r\nContent-Type: text/xml\r\n"
            f"{credentials}{framing}\r\n\r\n").encode()
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head)  # no body: an answer proves the server did not wait to read it
        return _read_all(sock)


def test_fifty_megabytes_are_refused_before_they_are_read(connector, hub_inbound):
    answer = _raw(connector.inbound_url, f"Content-Length: {50 * 1024 * 1024}")
    assert answer.startswith(b"HTTP/1.1 413"), answer[:80]
    assert b"larger than" in answer
    assert hub_inbound.published == []
    assert _post(connector.inbound_url, GOOD).status_code == 200


@pytest.mark.parametrize("auth", [True, False])
def test_announced_fifty_megabytes_get_an_answer_without_being_read(connector, hub_inbound,
                                                                    auth):
    """Authenticated: 413. A stranger: 401 at once, and the body is not drained either."""
    answer = _raw(connector.inbound_url, f"Content-Length: {50 * 1024 * 1024}", auth=auth)
    assert answer.startswith(b"HTTP/1.1 413" if auth else b"HTTP/1.1 401"), answer[:80]
    assert b"connection: close" in answer.lower()  # header names are case-insensitive
    assert _post(connector.inbound_url, GOOD).status_code == 200


@pytest.mark.parametrize("header, status", [("Content-Length: -1", b"400"),
                                            ("Content-Length: 12abc", b"400"),
                                            ("Content-Length: ²", b"400"),
                                            ("Content-Length: 0\r\nContent-Length: 40", b"400"),
                                            ("Transfer-Encoding: chunked", b"411")])
def test_unusable_body_framing_is_refused(connector, hub_inbound, header, status):
    answer = _raw(connector.inbound_url, header)
    assert answer.startswith(b"HTTP/1.1 " + status), answer[:80]
    assert hub_inbound.published == []
    assert _post(connector.inbound_url, GOOD).status_code == 200


def test_a_streamed_fifty_megabyte_body_is_cut_off_not_read(connector, hub_inbound):
    """The server answers and closes; the sender cannot push 50 MB into a closed socket."""
    host, port = connector.inbound_url.split("//")[1].split("/")[0].split(":")
    head = (f"POST /elsmart HTTP/1.1\r\nHost: {host}\r\nContent-Type: text/xml\r\n"
            f"Authorization: Basic {_basic(*AUTH)}\r\n"
            f"Content-Length: {50 * 1024 * 1024}\r\n\r\n").encode()
    sent = 0
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head)
        with pytest.raises(OSError):  # broken pipe / reset once the server has closed
            for _ in range(50):
                sock.sendall(b" " * (1024 * 1024))
                sent += 1
    assert sent < 50
    assert _post(connector.inbound_url, GOOD).status_code == 200


@pytest.mark.parametrize("header", [None, "Basic " + "Z2FyYmFnZQ==", "Basic !!!not-base64",
                                    "Bearer " + INBOUND_PASSWORD, "Digest username=x",
                                    "Basic " + "ZWxzbWFydC1wb3J0YWw6d3Jvbmc="])
def test_wrong_credentials_are_refused_on_the_inbound_endpoint(connector, hub_inbound, header):
    headers = {"Content-Type": soap.CONTENT_TYPE}
    if header:
        headers["Authorization"] = header
    answer = requests.post(connector.inbound_url, data=GOOD, headers=headers, timeout=10)
    assert answer.status_code == 401
    assert "Basic" in answer.headers["WWW-Authenticate"]
    assert hub_inbound.published == []


def test_wrong_credentials_are_refused_by_the_portal_simulator(portal):
    anonymous = requests.post(portal.soap_url, data=GOOD, timeout=10)
    wrong = requests.post(portal.soap_url, data=GOOD, timeout=10,
                          auth=(PORTAL_USER, PORTAL_PASSWORD + "x"))
    assert (anonymous.status_code, wrong.status_code) == (401, 401)


def test_portal_simulator_refuses_hostile_xml_with_a_client_fault(portal):
    for body in (XXE, LAUGHS, b"<not-closed"):
        answer = requests.post(portal.soap_url, data=body, timeout=10,
                               auth=(PORTAL_USER, PORTAL_PASSWORD))
        assert answer.status_code == 500
        assert _fault_text(answer)[0] == "soap:Client"


def _basic(user: str, password: str) -> str:
    import base64

    return base64.b64encode(f"{user}:{password}".encode()).decode()


def _read_all(sock: socket.socket) -> bytes:
    """Read until the server closes (each refusal here closes the connection)."""
    data = b""
    while chunk := sock.recv(4096):
        data += chunk
    return data


@pytest.mark.parametrize("header", [
    b'<x:Trace xmlns:x="urn:other" soap:mustUnderstand="0">t</x:Trace>',
    b'<x:Route xmlns:x="urn:evil" soap:mustUnderstand="1" soap:actor="urn:proxy">a</x:Route>'])
def test_headers_we_need_not_understand_are_let_through(connector, hub_inbound, header):
    assert _post(connector.inbound_url, _with_header(header)).status_code == 200
    assert [m.case_id for m in hub_inbound.published] == [CASE.case_id]


def _post_with_action(url: str, action: str | None) -> requests.Response:
    headers = {"Content-Type": soap.CONTENT_TYPE}
    if action is not None:
        headers["SOAPAction"] = action
    return requests.post(url, data=GOOD, timeout=10, auth=AUTH, headers=headers)


def test_a_soap_action_naming_another_operation_is_a_client_fault(connector, hub_inbound):
    answer = _post_with_action(connector.inbound_url, '"urn:gridhub:elsmart:v1#CancelCase"')
    assert answer.status_code == 500
    code, text = _fault_text(answer)
    assert code == "soap:Client", text
    assert "SOAPAction 'urn:gridhub:elsmart:v1#CancelCase' does not match" in text
    assert "urn:gridhub:elsmart:v1#SubmitNotification" in text
    assert hub_inbound.published == []


@pytest.mark.parametrize("action", ['"urn:gridhub:elsmart:v1#SubmitNotification"',
                                    "urn:gridhub:elsmart:v1#SubmitNotification", '""', None])
def test_the_matching_or_no_soap_action_is_accepted(connector, hub_inbound, action):
    assert _post_with_action(connector.inbound_url, action).status_code == 200
    assert [m.case_id for m in hub_inbound.published] == [CASE.case_id]


def test_the_wsdl_names_each_operation_by_the_action_the_endpoint_expects():
    from lxml import etree

    from connectors.elsmart.contract import NS, WSDL
    from connectors.elsmart.inbound import soap_action_of

    wsdl = etree.parse(str(WSDL))
    ops = wsdl.findall(".//{http://schemas.xmlsoap.org/wsdl/}binding/"
                       "{http://schemas.xmlsoap.org/wsdl/}operation")
    assert len(ops) >= 8
    for op in ops:
        action = op.find("{http://schemas.xmlsoap.org/wsdl/soap/}operation").get("soapAction")
        assert action == soap_action_of(etree.Element(f"{{{NS}}}{op.get('name')}"))


def test_three_hundred_half_open_connections_do_not_keep_the_portal_out(connector, hub_inbound):
    host, port = connector.inbound_url.split("//")[1].split("/")[0].split(":")
    before = threading.active_count()
    sockets = []
    try:
        for _ in range(300):
            sock = socket.create_connection((host, int(port)), timeout=10)
            sock.sendall(b"POST /elsmart HTTP/1.1\r\nHost: x\r\nAuthoriz")
            sockets.append(sock)
        assert _post(connector.inbound_url, GOOD).status_code == 200
        grown = threading.active_count() - before
    finally:
        for sock in sockets:
            sock.close()
    assert grown <= 3, f"{grown} threads more for 300 half-open connections"
    assert [m.case_id for m in hub_inbound.published] == [CASE.case_id]
