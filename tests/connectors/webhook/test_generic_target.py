"""The webhook as a generic HTTP/JSON target (issue 18 item 2): the target's own JSON from a
declarative body mapping, the case as it stands when the route has with_case, auth options,
checked settings; a real server on loopback (tests.support.sink)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from connectors.webhook import WebhookConnector
from hub.connector import NoInbound
from hub.errors import ConfigurationError, InvalidMessage
from tests.factories import envelope, swedish_case
from tests.support.sink import Sink

GIS_MAPPING = Path(__file__).resolve().parents[3] / "examples" / "extending" / "gis-mapping.yaml"


@pytest.fixture
def sink():
    with Sink() as s:
        yield s


def _archived_with_case(case):
    msg = envelope("case.archived", case)
    view = {**case.model_dump(mode="json"), "status": "archived"}
    return msg.model_copy(update={"payload": {**msg.payload, "case": view}})


def test_the_body_is_the_targets_json_built_by_the_mapping(sink):
    case = swedish_case(31)
    msg = _archived_with_case(case)
    gis = WebhookConnector({"url": sink.url, "mapping": str(GIS_MAPPING), "method": "PUT",
                            "api_key_header": "X-Api-Key", "api_key": "k-123",
                            "headers": {"X-Source": "gridhub"}}, NoInbound("test"))
    assert gis.deliver(msg) == []
    [body] = sink.docs()
    [request] = sink.state.requests
    facility = case.facilities[0]
    assert body == {
        "caseId": case.case_id, "archivedAt": msg.occurred_at.isoformat().replace("+00:00", "Z"),
        "portalReference": case.reference, "gridOwner": case.grid_owner.name,
        "kind": "new_installation",
        "facilities": [{"gsrn": facility.facility_id,
                        "meter": {"number": facility.meter_number,
                                  "placement": facility.meter_placement},
                        "mainFuseA": facility.main_fuse_a,
                        "address": {"street": facility.address.street,
                                    "postCode": facility.address.postcode,
                                    "city": facility.address.town}}]}
    assert (request["method"], request["path"]) == ("PUT", "/in/installations")
    assert request["headers"]["x-api-key"] == "k-123"
    assert request["headers"]["x-source"] == "gridhub"
    assert request["headers"]["idempotency-key"] == msg.message_id


def test_basic_auth_and_the_envelope_as_it_is_without_a_mapping(sink):
    msg = envelope("case.note.added", swedish_case(32))
    WebhookConnector({"url": sink.url, "username": "gis", "password": "pw"},
                     NoInbound("test")).deliver(msg)
    assert sink.docs()[0]["message_id"] == msg.message_id
    auth = sink.state.requests[0]["headers"]["authorization"]
    assert auth == "Basic " + base64.b64encode(b"gis:pw").decode()


def test_a_type_the_mapping_does_not_cover_is_a_permanent_error_naming_the_file(sink):
    gis = WebhookConnector({"url": sink.url, "mapping": str(GIS_MAPPING)}, NoInbound("test"))
    with pytest.raises(InvalidMessage) as info:
        gis.deliver(envelope("case.note.added", swedish_case(33)))
    assert "no document for case.note.added (has: case.archived)" in str(info.value)
    assert info.value.where == str(GIS_MAPPING)
    assert sink.docs() == []


@pytest.mark.parametrize(("mapping", "settings", "fragment"), [
    ("documents: {case.archivd: {fields: {case_id: /id}}}", {},
     "'case.archivd' is not a message type"),
    ("documents: {case.archived: {fields: {case_id: caseId}}}", {},
     "'caseId' is not a JSON pointer"),
    ("documents: {case.archived: {fields: {case_id: /id}}}", {"api_key": "x"},
     "api_key and api_key_header go together"),
    ("documents: {case.archived: {fields: {case_id: /id}}}",
     {"headers": {"Authorization": "x"}}, "carries credentials"),
    ("documents: {case.archived: {fields: {case_id: /id}}}",
     {"headers": {"X-A": "a\r\nX-B: b"}}, "one line of printable text"),
])
def test_settings_and_mapping_are_checked_at_start(tmp_path, mapping, settings, fragment):
    path = tmp_path / "gis.yaml"
    path.write_text(mapping, encoding="utf-8")
    with pytest.raises(ConfigurationError) as info:
        WebhookConnector({"url": "http://127.0.0.1:9/x", "mapping": str(path), **settings},
                         NoInbound("test"))
    assert fragment in str(info.value)
