"""KIS wire documents: the declarative mapping plus the contract, both ways, and SOAP framing.

Every document written is validated before it leaves, every document read is validated before
a field is taken from it. A grid owner adapts to a vendor's schema with the ``mapping`` and
``xsd`` settings (or by editing mapping.yaml), not in code.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

from connectors.kis.contract import XSD_PATH, XsdContract
from hub.toolkit import DocumentMap, InvalidMessage, XmlMapper, load_mapping, soap
from hub.toolkit import parse_xml as parse

MAPPING_PATH = Path(__file__).with_name("mapping.yaml")


class KisWire:
    """One mapping and one contract. ``read``/``write`` move between elements and dicts."""

    def __init__(self, mapping_path: Path = MAPPING_PATH, xsd_path: Path = XSD_PATH) -> None:
        self.mapping = load_mapping(mapping_path)
        self.mapper = XmlMapper(self.mapping)
        self.contract = XsdContract(xsd_path)

    @classmethod
    def default(cls) -> KisWire:
        return _default()

    def document(self, kind: str) -> DocumentMap:
        return self.mapping.document(kind)

    def kind_of(self, element: etree._Element) -> str:
        """The mapping's document kind whose root is ``element``'s tag."""
        for kind, doc in self.mapping.documents.items():
            if doc.root and self._qname(doc.root) == element.tag:
                return kind
        known = ", ".join(sorted(d.root or k for k, d in self.mapping.documents.items()))
        raise InvalidMessage(f"{element.tag} is not a KIS document (known: {known})",
                             where=_local(element))

    def operation(self, kind: str) -> str:
        """The SOAP operation a request document belongs to (mapping key ``operation``)."""
        name = self.document(kind).extra.get("operation")
        if not name:
            raise InvalidMessage("the mapping names no operation for this document",
                                 where=f"{self.mapping.source}: documents.{kind}")
        return str(name)

    def write(self, kind: str, data: dict[str, Any]) -> etree._Element:
        element = self.mapper.write(kind, data)
        self.contract.validate(element, where=kind)
        return element

    def read(self, kind: str, element: etree._Element) -> dict[str, Any]:
        self.contract.validate(element, where=kind)
        for path in self.document(kind).extra.get("discard") or ():
            for node in element.xpath(path, namespaces=self.mapping.namespaces):
                node.getparent().remove(node)
        return self.mapper.read(kind, element)

    def _qname(self, step: str) -> str:
        prefix, _, local = step.rpartition(":")
        return f"{{{self.mapping.namespaces[prefix]}}}{local}" if prefix else local


@lru_cache(maxsize=1)
def _default() -> KisWire:
    return KisWire()


def to_soap(element: etree._Element) -> bytes:
    return soap.envelope(element)


def from_soap(document: bytes, *, where: str) -> etree._Element:
    """The payload element of a SOAP envelope, or the document itself when it is a bare body."""
    root = parse(document, where=where)
    if root.tag != f"{{{soap.SOAP_NS}}}Envelope":
        return root
    body = root.find(f"{{{soap.SOAP_NS}}}Body")
    if body is None or len(body) == 0:
        raise InvalidMessage("soap:Body is missing or empty", where=where)
    return body[0]


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname
