"""NIS wire documents: the declarative mapping plus the contract, both ways.

Every document written is validated before it is sent and every document read is validated
before a field is taken from it; a violation is an InvalidMessage naming the element.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

from connectors.nis.contract import XSD_PATH, XsdContract
from hub.toolkit import DocumentMap, InvalidMessage, XmlMapper, load_mapping
from hub.toolkit import parse_xml as parse

MAPPING_PATH = Path(__file__).with_name("mapping.yaml")


class NisWire:
    """One mapping and one contract. ``read``/``write`` move between elements and dicts."""

    def __init__(self, mapping_path: Path = MAPPING_PATH, xsd_path: Path = XSD_PATH) -> None:
        self.mapping = load_mapping(mapping_path)
        self.mapper = XmlMapper(self.mapping)
        self.contract = XsdContract(xsd_path)

    @classmethod
    def default(cls) -> NisWire:
        return _default()

    def document(self, kind: str) -> DocumentMap:
        return self.mapping.document(kind)

    def kind_of(self, element: etree._Element) -> str:
        for kind, doc in self.mapping.documents.items():
            if doc.root and self._qname(doc.root) == element.tag:
                return kind
        known = ", ".join(sorted(d.root or k for k, d in self.mapping.documents.items()))
        raise InvalidMessage(f"{element.tag} is not a NIS document (known: {known})",
                             where=etree.QName(element).localname)

    def resource(self, kind: str) -> tuple[str, str]:
        """(path to POST to, kind of the answer) for a request document."""
        extra = self.document(kind).extra
        if not extra.get("path") or not extra.get("answer"):
            raise InvalidMessage("the mapping names no 'path' and 'answer' for this document",
                                 where=f"{self.mapping.source}: documents.{kind}")
        return str(extra["path"]), str(extra["answer"])

    def write(self, kind: str, data: dict[str, Any]) -> bytes:
        element = self.mapper.write(kind, data)
        self.contract.validate(element, where=kind)
        return etree.tostring(element, xml_declaration=True, encoding="utf-8")

    def read(self, kind: str | None, document: bytes | etree._Element, *,
             where: str) -> tuple[str, dict[str, Any]]:
        """(kind, fields) of ``document``; ``kind`` None accepts any kind the mapping knows."""
        root = parse(document, where=where) if isinstance(document, bytes) else document
        found = self.kind_of(root)
        if kind is not None and found != kind:
            raise InvalidMessage(f"expected a {kind}, got a {found}", where=where)
        self.contract.validate(root, where=where)
        return found, self.mapper.read(found, root)

    def _qname(self, step: str) -> str:
        prefix, _, local = step.rpartition(":")
        return f"{{{self.mapping.namespaces[prefix]}}}{local}" if prefix else local


@lru_cache(maxsize=1)
def _default() -> NisWire:
    return NisWire()
