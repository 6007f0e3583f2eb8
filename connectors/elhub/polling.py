"""The pull pattern (structure reference section 11): PollForData, its result, AcknowledgePoll.

    PollForDataRequest(PollForData)  ->  PollForDataResponse(Identification, ResultDataSet)
                                         or an empty, xsi:nil response when nothing is queued
    AcknowledgePollRequest(Acknowledgement 39 naming the poll-result id)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from connectors.elhub import acknowledgement, emif
from hub.toolkit import InvalidMessage

KIND = "PollForData"
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"


@dataclass(frozen=True)
class Service:
    """One SOAP service: its path under the datahub URL and its wrapper namespace."""

    name: str
    namespace: str

    def tag(self, local: str) -> str:
        return f"{{{self.namespace}}}{local}"


MARKET = Service("MarketProcesses", "urn:no:elhub:emif:wsdl:marketprocesses:v2")
METERING = Service("MeteringValues", "urn:no:elhub:emif:wsdl:meteringvalues:v2")
POLL_MARKET = Service("PollMarketProcesses",
                      "urn:no:elhub:emif:wsdl:polling:marketprocesses:v2")
POLL_METERING = Service("PollMeteringValues",
                        "urn:no:elhub:emif:wsdl:polling:meteringvalues:v2")
QUERY = Service("Query", "urn:no:elhub:emif:wsdl:query:v2")
SERVICES = {s.namespace: s for s in (MARKET, METERING, POLL_MARKET, POLL_METERING, QUERY)}


@dataclass(frozen=True)
class PollResult:
    result_id: str
    documents: list[etree._Element]


def request(*, sender: str, recipient: str, created: datetime, document_id: str
            ) -> etree._Element:
    """A validated PollForData document (the poller's role, DDM; no filter)."""
    data = {"header": {"id": document_id, "created": emif.timestamp(created),
                       "sender": sender, "juridical_sender": sender, "recipient": recipient}}
    root = emif.mapper().write_document(KIND, data)
    emif.validate(root, where="PollForData")
    return root


def read_request(root: etree._Element) -> dict[str, str]:
    emif.validate(root, where="PollForData")
    header: dict[str, str] = emif.mapper().read_document(KIND, root)["header"]
    return header


def result(response: etree._Element | None, service: Service) -> PollResult | None:
    """The poll result in a PollForDataResponse; None when nothing is queued."""
    if response is None or response.get(XSI_NIL) == "true" or len(response) == 0:
        return None
    where = f"{service.name} PollForDataResponse"
    if response.tag != service.tag("PollForDataResponse"):
        raise InvalidMessage(f"expected PollForDataResponse, got {response.tag}", where=where)
    result_id = response.findtext(service.tag("Identification"))
    dataset = response.find(service.tag("ResultDataSet"))
    if not result_id or dataset is None:
        raise InvalidMessage("Identification and ResultDataSet are required", where=where)
    return PollResult(result_id.strip(), list(dataset))


def response(service: Service, found: PollResult | None) -> etree._Element:
    """The PollForDataResponse element for ``found`` (nil when None); for the simulator."""
    element = etree.Element(service.tag("PollForDataResponse"))
    if found is None:
        element.set(XSI_NIL, "true")
        return element
    etree.SubElement(element, service.tag("Identification")).text = found.result_id
    dataset = etree.SubElement(element, service.tag("ResultDataSet"))
    dataset.extend(found.documents)
    return element


def poll_ack(result_id: str, *, sender: str, recipient: str, created: datetime,
             document_id: str) -> etree._Element:
    """The Acknowledgement (39) of a whole poll result: as the poll, DocumentType 21, POLL."""
    return acknowledgement.build(acknowledgement.ACCEPTED, result_id, sender=sender,
                                 recipient=recipient, created=created, document_id=document_id,
                                 process="POLL", role="DDM", document_type="21")
