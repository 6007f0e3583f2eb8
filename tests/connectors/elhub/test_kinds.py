"""Every document kind of elhub-messages.md section 4: documents generated from the structure
are valid against the contract XSDs, and wire -> canonical -> wire gives the same document."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from connectors.elhub import ElhubConnector, emif, kinds
from connectors.elhub.structure import BY_ROOT, KINDS, Kind
from hub.errors import InvalidMessage
from schemas.envelope import Envelope
from schemas.payloads import parse_payload
from tests.connectors.elhub.structure_documents import document, same

ROUND = settings(max_examples=25, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.root)
def test_every_kind_round_trips_losslessly(kind: Kind) -> None:
    @ROUND
    @given(document(kind))
    def check(root: etree._Element) -> None:
        emif.validate(root, where=kind.root)  # the structure and the XSD agree
        message = kinds.read(root)
        assert message.type == kind.message_type
        parse_payload(message)  # the canonical model takes it
        # it travels the bus as JSON and comes back the same
        back = Envelope.model_validate_json(message.model_dump_json())
        written = kinds.write(back)  # validated against the XSD inside
        assert same(written, root), (etree.tostring(root), etree.tostring(written))
    check()


@pytest.mark.parametrize("root", ["CollectedData", "NotifyValidatedDataForBillingEnergy"])
def test_an_empty_withdrawn_is_legal_and_kept_empty(root: str) -> None:
    kind = BY_ROOT[root]
    doc = _minimal(kind, profiled=True)
    withdrawn = doc.find(f".//{{{emif.ABIE}}}Withdrawn")
    assert withdrawn is not None
    withdrawn.text = None
    emif.validate(doc, where=root)
    assert etree.tostring(kinds.write(kinds.read(doc))).count(b"Withdrawn/>") == 1
    withdrawn.text = "false"
    with pytest.raises(InvalidMessage, match="contract"):
        emif.validate(doc, where=root)


def test_the_connector_reads_and_writes_every_new_kind() -> None:
    kind = BY_ROOT["NotifyStartOfSupply"]
    doc = _minimal(kind)
    data = etree.tostring(doc)
    (message,) = ElhubConnector.to_canonical(data)
    assert message.type == "supply.start.registered"
    assert message.case_id == message.payload["payload"]["metering_point"]
    assert same(etree.fromstring(ElhubConnector.to_wire(message)), doc)


def test_a_missing_required_field_is_named_not_filled_in() -> None:
    message = kinds.read(_minimal(BY_ROOT["RequestStartOfSupply"]))
    payload = copy.deepcopy(message.payload)
    del payload["payload"]["metering_point"]
    with pytest.raises(InvalidMessage) as err:
        kinds.write(message.model_copy(update={"payload": payload}))
    assert err.value.where == "payload.payload.metering_point"
    payload = copy.deepcopy(message.payload)
    del payload["payload"]["customer"]["extended_storage_metering_values"]
    with pytest.raises(InvalidMessage) as err:
        kinds.write(message.model_copy(update={"payload": payload}))
    assert err.value.where == "payload.payload.customer.extended_storage_metering_values"


def test_a_field_the_structure_has_no_place_for_is_refused() -> None:
    message = kinds.read(_minimal(BY_ROOT["RequestEndOfSupply"]))
    payload = copy.deepcopy(message.payload)
    payload["payload"]["grid_area"] = "50Y73EMZ34CQL9AJ"  # NotifyStartOfSupply has one; this not
    with pytest.raises(InvalidMessage, match="grid_area") as err:
        kinds.write(message.model_copy(update={"payload": payload}))
    assert err.value.where == "payload.payload"


def test_estimation_codes_are_kept_exactly_as_sent() -> None:
    doc = _minimal(BY_ROOT["CollectedData"])
    payload = kinds.read(doc).payload["payloads"][0]
    assert payload["observations"][0]["estimated"] == {
        "value": "1.250", "quality": "81", "validation_code": "V012", "estimation_code": "E007"}
    assert payload["observations"][1]["temporary"] == {"value": "0", "validation_code": "V001"}


def _minimal(kind: Kind, profiled: bool = False) -> etree._Element:
    """A small valid document of ``kind``: the first example hypothesis finds, made once."""
    found: list[etree._Element] = []

    @settings(max_examples=200, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(document(kind), st.data())
    def pick(root: etree._Element, _data: st.DataObject) -> None:
        if found:
            return
        if profiled and root.find(f".//{{{emif.ABIE}}}Withdrawn") is None:
            return
        if kind.root == "CollectedData" and not profiled:
            _interval(root)
        found.append(root)
    pick()
    assert found, f"no {kind.root} generated"
    return found[0]


def _interval(root: etree._Element) -> None:
    """Replace the first series' values with two interval observations with codes."""
    series = root.find(f"{{{BY_ROOT['CollectedData'].namespace}}}PayloadEnergyTimeSeries")
    assert series is not None
    children = list(series)
    at = [etree.QName(c).localname for c in children].index("MeteringPointUsedDomainLocation")
    for child in children[at + 1:]:
        series.remove(child)
    a = etree.SubElement(series, f"{{{emif.ABIE}}}Observation", Sequence="1")
    etree.SubElement(a, f"{{{emif.ABIE}}}Estimated", Quality="81", ValidationCode="V012",
                     EstimationCode="E007").text = "1.250"
    b = etree.SubElement(series, f"{{{emif.ABIE}}}Observation", Sequence="2")
    etree.SubElement(b, f"{{{emif.ABIE}}}Temporary", ValidationCode="V001").text = "0"
    json.dumps(etree.tostring(root).decode())  # still serialisable
