"""The NIS mapping agrees with the contract, and a grid owner's own mapping is honoured."""

from lxml import etree

from connectors.nis.contract import XSD_PATH
from connectors.nis.wire import MAPPING_PATH, NisWire
from tests.factories import envelope, gsrn

XS = "{http://www.w3.org/2001/XMLSchema}"


def test_every_mapped_document_is_a_global_element_of_the_xsd():
    declared = {e.get("name") for e in etree.parse(str(XSD_PATH)).getroot()
                .iterchildren(f"{XS}element")}
    roots = {d.root.split(":")[1] for d in NisWire.default().mapping.documents.values()}
    # The project feed is a list of events, which the field mapping does not express; it is
    # read by connectors/nis/projects.py and validated against the same XSD.
    assert roots == declared - {"ProjectEventsRequest", "ProjectEventsResponse"}


def test_request_documents_name_their_resource_and_answer():
    wire = NisWire.default()
    assert wire.resource("GridDataRequest") == ("/griddata", "GridDataResponse")
    assert wire.resource("InstallationRegistration") == ("/installations",
                                                         "InstallationReceipt")


def test_the_mapping_setting_replaces_the_packaged_mapping(tmp_path, make_connector, nis_sim):
    own = tmp_path / "mapping.yaml"
    own.write_text(MAPPING_PATH.read_text(encoding="utf-8")
                   .replace("path: /griddata", "path: /nis/griddata"), encoding="utf-8")
    connector = make_connector(url=nis_sim.url, mapping=str(own))
    [answer] = connector.deliver(envelope("griddata.requested",
                                          payload={"facility_id": gsrn(0).reveal()}))
    assert answer.payload["service"]["substation"] == "T114"
    assert nis_sim.calls == {"/nis/griddata": 1}
