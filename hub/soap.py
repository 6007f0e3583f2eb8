"""SOAP 1.1 on the server side (our inbound endpoints and the simulators).

zeep is the client; it has no server. Inbound envelopes are parsed through the hardened parser
(:mod:`hub.xmlsafe`), faults are written the SOAP 1.1 way, and a fault received by a client is
classified by :mod:`hub.toolkit.failures`: ``Server`` faults are transient, ``Client``
faults permanent.
"""

from __future__ import annotations

from collections.abc import Collection

from lxml import etree

from hub.errors import GridhubError, InvalidMessage
from hub.toolkit.failures import SOAP_NS, soap_fault_of
from hub.xmlsafe import parse

NEXT_ACTOR = "http://schemas.xmlsoap.org/soap/actor/next"
CONTENT_TYPE = "text/xml; charset=utf-8"


def body_of(data: bytes, *, where: str = "SOAP envelope",
            understood: Collection[str] | None = None) -> etree._Element:
    """The one element inside soap:Body; errors name what is missing or extra.

    A second element is refused, not dropped: the caller would get an answer for a part of
    what it sent (issue 13 item 16). With ``understood`` (the header element names, as
    ``{ns}local``, this endpoint processes) a header addressed to us with
    ``mustUnderstand="1"`` that is not among them is refused, as SOAP 1.1 section 4.2.3 asks."""
    root = parse(data, where=where)
    if root.tag != f"{{{SOAP_NS}}}Envelope":
        raise InvalidMessage(f"root element is {root.tag}, expected a SOAP 1.1 Envelope "
                             f"({{{SOAP_NS}}}Envelope)", where=where)
    if understood is not None:
        _check_must_understand(root, understood, where)
    body = root.find(f"{{{SOAP_NS}}}Body")
    elements = [] if body is None else [c for c in body if isinstance(c.tag, str)]
    if not elements:
        raise InvalidMessage("soap:Body is missing or empty", where=where)
    if len(elements) > 1:
        raise InvalidMessage(f"soap:Body holds {len(elements)} elements ("
                             f"{', '.join(str(e.tag) for e in elements[:5])}); send one "
                             "operation per request", where=where)
    return elements[0]


def _check_must_understand(root: etree._Element, understood: Collection[str],
                           where: str) -> None:
    header = root.find(f"{{{SOAP_NS}}}Header")
    for block in [] if header is None else header:
        if not isinstance(block.tag, str):
            continue
        must = (block.get(f"{{{SOAP_NS}}}mustUnderstand") or "0").strip() in ("1", "true")
        actor = block.get(f"{{{SOAP_NS}}}actor")
        if must and actor in (None, "", NEXT_ACTOR) and block.tag not in understood:
            raise InvalidMessage(f"header {block.tag} has mustUnderstand=\"1\" and this "
                                 "endpoint does not process it", where=f"{where} soap:Header")


def check_action(soap_action: str | None, expected: str) -> None:
    """Refuse a SOAPAction header that names another operation than the Body holds: a proxy
    or log that trusts the header must not see a different operation than the one we run.
    An absent or empty header names none (SOAP 1.1 section 6.1.1: the intent is the URI)."""
    given = (soap_action or "").strip().strip('"')
    if given and given != expected:
        raise InvalidMessage(f"SOAPAction {given!r} does not match the operation in "
                             f"soap:Body ({expected!r})", where="SOAPAction")


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
