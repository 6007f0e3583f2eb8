"""Which EMIF document carries which canonical message, both ways, without I/O.

    meteringpoint.updated      <-> RequestUpdateMasterDataMeteringPoint
    meteringvalues.collected   <-> CollectedData (one message per series and day)
    meteringpoint.acknowledged <-> Acknowledgement
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from connectors.elhub import acknowledgement, emif, kinds, masterdata, polling, values
from hub.toolkit import InvalidMessage, soap
from hub.toolkit import parse_xml as parse
from schemas.envelope import Envelope
from schemas.message_types import MessageType

MASTERDATA = emif.tag("md", "RequestUpdateMasterDataMeteringPoint")
COLLECTED = emif.tag("cd", "CollectedData")
ACK = emif.tag("ack", "Acknowledgement")
POLL = emif.tag("poll", "PollForData")
_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


def business_documents(data: bytes) -> list[etree._Element]:
    """The business documents in ``data``: a bare document, a SOAP envelope, a service
    wrapper (``...Request``/``...Response``) or a poll result."""
    root = parse(data, where="elhub document")
    if root.tag == f"{{{soap.SOAP_NS}}}Envelope":
        root = soap.body_of(data, where="elhub SOAP envelope")
    if root.tag == f"{{{soap.SOAP_NS}}}Fault":  # a fault carries no document: say so
        code = (root.findtext("faultcode") or "?").split(":")[-1]
        raise InvalidMessage(f"is a SOAP {code} fault, not a document: "
                             f"{(root.findtext('faultstring') or '')[:200]}",
                             where="elhub SOAP envelope/Body/Fault")
    service = polling.SERVICES.get(etree.QName(root).namespace or "")
    if service is None:
        return [root]
    if root.tag == service.tag("PollForDataResponse"):
        found = polling.result(root, service)
        return found.documents if found else []
    documents = list(root)
    for document in documents:
        if document.tag == polling.METERING.tag("CollectedData"):
            document.tag = COLLECTED  # the WSDL's local CollectedData: same content
    return documents


def to_canonical(document: etree._Element) -> list[Envelope]:
    """One business document -> its canonical message(s)."""
    reader = _READERS.get(document.tag)
    if reader is not None:
        return reader(document)
    if kinds.kind_of(document) is None:
        raise InvalidMessage(f"{etree.QName(document).localname} carries no canonical message "
                             f"({etree.QName(document).text} is no EMIF document kind of the "
                             f"structure reference)", where=etree.QName(document).localname)
    return [kinds.read(document)]


def _read_collected(document: etree._Element) -> list[Envelope]:
    """Interval values of BRS-NO-313 that fit the day model go the fast way, as
    meteringvalues.collected; every other variant (meter index, EAC, profiled, withdrawn,
    partial days, codes the day model does not carry) is kept whole as meteringvalues.reported."""
    process = document.findtext(f"{{{emif.NS['cd']}}}ProcessEnergyContext/"
                                f"{{{emif.ABIE}}}EnergyBusinessProcess")
    if process == "BRS-NO-313":
        try:
            return values.from_document(document)
        except values.NotDayModel:
            pass
    return [kinds.read(document)]


def _read_ack(document: etree._Element) -> list[Envelope]:
    return [acknowledgement.to_envelope(acknowledgement.read(document))]


_READERS: dict[str, Callable[[etree._Element], list[Envelope]]] = {
    MASTERDATA: masterdata.from_document,
    COLLECTED: _read_collected,
    ACK: _read_ack,
}


def to_wire(message: Envelope, *, sender: str, recipient: str) -> bytes:
    """A canonical message -> the business document bytes (with an XML declaration)."""
    if message.type == MessageType.METERINGVALUES_COLLECTED:
        return _DECLARATION + values.to_bytes(message, sender=sender, recipient=recipient)[0]
    if message.type == MessageType.METERINGPOINT_UPDATED:
        root = masterdata.to_document(message, sender=sender, recipient=recipient)
    elif message.type == MessageType.METERINGPOINT_ACKNOWLEDGED:
        root = acknowledgement.to_document(message, sender=sender, recipient=recipient)
    else:
        return kinds.to_bytes(message)  # every document kind, or a clear error naming the type
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
