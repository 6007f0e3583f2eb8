"""Apply a :class:`hub.mapping.DocumentMap` to XML: read an element into a canonical dict,
or write a canonical dict as an element. Paths are ``/``-separated steps with namespace
prefixes, relative to the document's root element; ``@attr`` as the last step is an attribute.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from hub.errors import InvalidMessage
from hub.mapping import (
    DocumentMap,
    FieldGroup,
    FieldMap,
    Mapping,
    get,
    put,
    to_canonical_value,
    to_wire_value,
)


class XmlMapper:
    """Reads and writes one mapping's documents."""

    def __init__(self, mapping: Mapping) -> None:
        self.mapping = mapping
        self.ns = mapping.namespaces

    def read(self, kind: str, element: etree._Element) -> dict[str, Any]:
        doc = self.mapping.document(kind)
        return self._read_group(doc.fields, element, _path_of(element))

    def _read_group(self, group: FieldGroup, element: etree._Element, where: str
                    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in group.fields:
            if f.each is not None:
                items = element.xpath(f.path, namespaces=self.ns)
                put(out, f.name, [self._read_group(f.each, item, _path_of(item))
                                  for item in items])
                continue
            raw = self._text(element, f.path)
            loc = f"{where}/{f.path}"
            if raw is None:
                if f.required:
                    raise InvalidMessage("required element is missing", where=loc)
                continue
            put(out, f.name, to_canonical_value(f, raw, loc))
        return out

    def _text(self, element: etree._Element, path: str) -> str | None:
        found = element.xpath(path, namespaces=self.ns)
        if not found:
            return None
        node = found[0]
        text = node if isinstance(node, str) else node.text
        text = (text or "").strip()
        return text or None

    def write(self, kind: str, data: dict[str, Any]) -> etree._Element:
        doc: DocumentMap = self.mapping.document(kind)
        if not doc.root:
            raise InvalidMessage("the mapping names no root element to write",
                                 where=f"{self.mapping.source}: documents.{kind}")
        root = etree.Element(self._qname(doc.root), nsmap=self._nsmap())
        self._write_group(doc.fields, root, data, kind)
        return root

    def _write_group(self, group: FieldGroup, element: etree._Element, data: dict[str, Any],
                     where: str) -> None:
        for f in group.fields:
            value = get(data, f.name)
            if value is None or value == []:
                if f.required:
                    raise InvalidMessage("required field is missing", where=f"{where}.{f.name}")
                continue
            if f.each is not None:
                self._write_each(f, element, value, where)
                continue
            text = to_wire_value(f, value, f"{where}.{f.name}")
            self._set(element, f.path, xml_text(text, where=f"{where}.{f.name}"))

    def _write_each(self, f: FieldMap, element: etree._Element, items: list[Any],
                    where: str) -> None:
        *parents, leaf = f.path.split("/")
        parent = self._ensure(element, parents)
        for i, item in enumerate(items):
            child = etree.SubElement(parent, self._qname(leaf))
            assert f.each is not None
            self._write_group(f.each, child, item, f"{where}.{f.name}[{i}]")

    def _set(self, element: etree._Element, path: str, text: str) -> None:
        *parents, leaf = path.split("/")
        parent = self._ensure(element, parents)
        if leaf.startswith("@"):
            parent.set(self._qname(leaf[1:]), text)
        else:
            etree.SubElement(parent, self._qname(leaf)).text = text

    def _ensure(self, element: etree._Element, steps: list[str]) -> etree._Element:
        """Walk/create the parent elements of a path (elements are shared between fields)."""
        node = element
        for step in steps:
            if step in (".", ""):
                continue
            qname = self._qname(step)
            child = node.find(qname)
            node = child if child is not None else etree.SubElement(node, qname)
        return node

    def _qname(self, step: str) -> str:
        if ":" in step:
            prefix, local = step.split(":", 1)
            if prefix not in self.ns:
                raise InvalidMessage(f"unknown namespace prefix {prefix!r}",
                                     where=self.mapping.source)
            return f"{{{self.ns[prefix]}}}{local}"
        return step

    def _nsmap(self) -> dict[str, str]:
        return dict(self.ns)


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str, *, where: str) -> str:
    """``text`` if XML 1.0 can carry it; else InvalidMessage naming the field and the
    character (not the value: it may be personal data). lxml would raise a bare ValueError,
    which the hub would take for a transient fault and retry."""
    bad = _NOT_XML.search(text)
    if bad:
        raise InvalidMessage(f"contains U+{ord(bad.group()):04X} at position {bad.start()}, "
                             "a character XML 1.0 cannot carry", where=where)
    return text


def _path_of(element: etree._Element) -> str:
    """A readable location for errors: /Root/Child[2]."""
    try:
        return element.getroottree().getpath(element)
    except (ValueError, TypeError):
        return etree.QName(element).localname
