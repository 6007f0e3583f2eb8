"""The NIS simulator itself: auth, control endpoint, strictness, persistence."""

import base64
import json
import urllib.error
import urllib.request

from lxml import etree

from connectors.nis.contract import XSD_PATH, XsdContract
from connectors.nis.simulator import NisSimulator
from hub.simulator import FailureMode
from tests.connectors.nis.conftest import PASSWORD
from tests.factories import gsrn

N = "urn:gridhub:nis:v1"
AUTH = "Basic " + base64.b64encode(f"gridhub:{PASSWORD}".encode()).decode()


def _call(url, body=b"", method="POST", auth=AUTH):
    request = urllib.request.Request(url, data=body if method == "POST" else None,
                                     method=method)
    if auth:
        request.add_header("Authorization", auth)
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _request(**fields):
    inner = "".join(f"<n:{k}>{v}</n:{k}>" for k, v in fields.items())
    return (f"<n:GridDataRequest xmlns:n='{N}'><n:CaseRef>SE-1</n:CaseRef>{inner}"
            "</n:GridDataRequest>").encode()


def test_every_call_needs_credentials(nis_sim):
    assert _call(nis_sim.endpoint + "/griddata", _request(), auth=None)[0] == 401
    assert _call(nis_sim.url + "/_control/state", method="GET", auth=None)[0] == 401


def test_answers_validate_against_the_contract(nis_sim):
    status, body = _call(nis_sim.endpoint + "/griddata", _request(FacilityId=gsrn(3).reveal()))
    assert status == 200
    XsdContract(XSD_PATH).validate(etree.fromstring(body), where="answer")


def test_a_request_breaking_the_contract_is_400_with_an_error_document(nis_sim):
    status, body = _call(nis_sim.endpoint + "/griddata", _request(MainFuse="many"))
    root = etree.fromstring(body)
    assert status == 400 and root.findtext(f"{{{N}}}Code") == "OGILTIG_BEGARAN"
    assert "MainFuse" in root.findtext(f"{{{N}}}Text")
    XsdContract(XSD_PATH).validate(root, where="error")


def test_control_endpoint_sets_and_reports_the_failure_mode(nis_sim):
    status, _ = _call(nis_sim.url + "/_control/fail", b'{"mode": "reject"}')
    assert status == 200 and nis_sim.failure == FailureMode.REJECT
    _, body = _call(nis_sim.url + "/_control/state", method="GET")
    assert json.loads(body)["failure"] == "reject"
    assert _call(nis_sim.url + "/_control/fail", b'{"mode": "maybe"}')[0] == 400
    nis_sim.fail("down")
    assert _call(nis_sim.url + "/_control/reset")[0] == 200
    assert nis_sim.failure == FailureMode.NONE


def test_registrations_survive_a_restart(tmp_path):
    sim = NisSimulator(state_dir=tmp_path, password=PASSWORD).start()
    body = (f"<n:InstallationRegistration xmlns:n='{N}'><n:MessageId>m1</n:MessageId>"
            f"<n:CaseRef>SE-1</n:CaseRef><n:FacilityId>{gsrn(1).reveal()}</n:FacilityId>"
            "</n:InstallationRegistration>").encode()
    try:
        status, answer = _call(sim.endpoint + "/installations", body)
    finally:
        sim.stop()
    assert status == 200 and b"REGISTRERAD" in answer
    again = NisSimulator(state_dir=tmp_path, password=PASSWORD).start()
    try:
        _, answer = _call(again.endpoint + "/installations", body)
    finally:
        again.stop()
    root = etree.fromstring(answer)
    assert root.findtext(f"{{{N}}}Status") == "REDAN_REGISTRERAD"
    assert root.findtext(f"{{{N}}}ObjectId") == "NIS-000001"
