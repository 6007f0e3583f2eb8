"""SOAP 1.1 on the server side (our inbound endpoints and the simulators).

zeep is the client; it has no server. Inbound envelopes are parsed through the hardened parser
(:mod:`hub.xmlsafe`), faults are written the SOAP 1.1 way, and a fault received by a client is
classified by :mod:`hub.toolkit.failures`: ``Server`` faults are transient, ``Client``
faults permanent.
"""

from __future__ import annotations

from lxml import etree

from hub.errors import GridhubError, InvalidMessage
from hub.toolkit.failures import SOAP_NS, soap_fault_of
from hub.xmlsafe import parse

CONTENT_TYPE = "text/xml; charset=utf-8"


def body_of(data: bytes, *, where: str = "SOAP envelope") -> etree._Element:
    """The first element inside soap:Body; errors name what is missing."""
    root = parse(data, where=where)
    if root.tag != f"{{{SOAP_NS}}}Envelope":
        raise InvalidMessage(f"root element is {root.tag}, expected a SOAP 1.1 Envelope "
                             f"({{{SOAP_NS}}}Envelope)", where=where)
    body = root.find(f"{{{SOAP_NS}}}Body")
    if body is None or len(body) == 0:
        raise InvalidMessage("soap:Body is missing or empty", where=where)
    return body[0]


def header_of(data: bytes) -> etree._Element | None:
    root = parse(data, where="SOAP envelope")
    return root.find(f"{{{SOAP_NS}}}Header")


def envelope(payload: etree._Element, header: etree._Element | None = None) -> bytes:
    """Wrap ``payload`` in a SOAP 1.1 envelope."""
    env = etree.Element(f"{{{SOAP_NS}}}Envelope", nsmap={"soap": SOAP_NS})
    if header is not None:
        env.append(header)
    etree.SubElement(env, f"{{{SOAP_NS}}}Body").append(payload)
    return etree.tostring(env, xml_declaration=True, encoding="utf-8")


def fault(code: str, message: str, detail: str | None = None) -> bytes:
    """A SOAP 1.1 fault; ``code`` is "Client" (the caller's fault) or "Server"."""
    node = etree.Element(f"{{{SOAP_NS}}}Fault")
    etree.SubElement(node, "faultcode").text = f"soap:{code}"
    etree.SubElement(node, "faultstring").text = message
    if detail:
        etree.SubElement(node, "detail").text = detail
    return envelope(node)


def fault_for(exc: BaseException) -> tuple[int, bytes]:
    """HTTP status and fault body for an exception raised while handling a call."""
    if isinstance(exc, InvalidMessage):
        return 500, fault("Client", str(exc))
    if isinstance(exc, GridhubError) and not isinstance(exc, InvalidMessage):
        from hub.errors import PermanentError

        code = "Client" if isinstance(exc, PermanentError) else "Server"
        return 500, fault(code, str(exc))
    return 500, fault("Server", "internal error")


def raise_for_fault(data: bytes, *, where: str) -> None:
    """If ``data`` is a SOAP fault, raise the matching gridhub error with the fault kept."""
    error = soap_fault_of(data, where=where)
    if error is not None:
        raise error
