"""EMIF documents: the mapping, the XSD contract and the parts every document shares.

:class:`EmifMapper` extends the hub's :class:`~hub.mapping_xml.XmlMapper` with what EMIF
documents need and the generic mapper cannot say: ``.`` as a repeated element's own text,
``constants`` (written, and checked on read), fixed ``attributes`` on every element a path
matches, and ``ensure`` for required elements that may be empty.
"""

from __future__ import annotations

import re
import threading
import uuid
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from lxml import etree

import schemas
from connectors.elhub import structure
from hub.toolkit import (
    DocumentMap,
    FieldGroup,
    FieldMap,
    InvalidMessage,
    Mapping,
    XmlMapper,
    load_mapping,
    to_canonical_value,
)
from hub.toolkit import get_field as get
from hub.toolkit import put_field as put
from hub.toolkit import xml_parser as parser

MAPPING_FILE = Path(__file__).with_name("mapping.yaml")
CONTRACT_DIR = Path(schemas.__file__).parent / "contracts" / "elhub"
ABIE = "urn:no:elhub:emif:common:AggregatedBusinessInformationEntities:v2"
NS = {
    "md": "urn:no:elhub:emif:masterdata:RequestUpdateMasterDataMeteringPoint:v2",
    "cd": "urn:no:elhub:emif:metering:CollectedData:v2",
    "ack": "urn:no:elhub:emif:Acknowledgement:v2",
    "poll": "urn:no:elhub:emif:PollForData:v2",
    "abie": ABIE,
}
ROOT_XSD = {f"{{{NS['md']}}}RequestUpdateMasterDataMeteringPoint":
            "RequestUpdateMasterDataMeteringPoint.xsd",
            f"{{{NS['cd']}}}CollectedData": "CollectedData.xsd",
            f"{{{NS['ack']}}}Acknowledgement": "Acknowledgement.xsd",
            f"{{{NS['poll']}}}PollForData": "PollForData.xsd",
            # every other kind: <Root>.xsd, in the namespace structure.py gives it
            **{f"{{{k.namespace}}}{k.root}": f"{k.root}.xsd" for k in structure.KINDS}}
# XMLSchema and XPath objects are not to be shared between threads: one set per thread.
_local = threading.local()
_DOC_IDS = uuid.UUID("5f0d3e2a-9c41-4b7e-8a63-2d1c0b9e7f44")
_UUID_CHARS = set("0123456789abcdef-")


class EmifMapper(XmlMapper):
    """XmlMapper plus constants, fixed attributes, ``.`` and ``ensure`` (see module doc)."""

    def write_document(self, kind: str, data: dict[str, Any]) -> etree._Element:
        spec = self.mapping.document(kind)
        for name, value in spec.extra.get("constants", {}).items():
            if get(data, name) is None:
                put(data, name, value)
        root = self.write(kind, data)
        for path in spec.extra.get("ensure", []):
            if not root.xpath(path, namespaces=self.ns):
                etree.SubElement(root, self._qname(path.rsplit("/", 1)[-1]))
        self.set_attributes(kind, root)
        etree.cleanup_namespaces(root)  # declare only the prefixes this document uses
        return root

    def set_attributes(self, kind: str, root: etree._Element) -> None:
        for path, attributes in self.mapping.document(kind).extra.get("attributes", {}).items():
            for element in root.xpath(path, namespaces=self.ns):
                for name, value in attributes.items():
                    element.set(name, str(value))

    def read_document(self, kind: str, root: etree._Element) -> dict[str, Any]:
        data = self._read_group(self.mapping.document(kind).fields, root,
                                etree.QName(root).localname)
        for name, expected in self.mapping.document(kind).extra.get("constants", {}).items():
            found = get(data, name)
            if found is not None and str(found) != str(expected):
                raise InvalidMessage(f"is {found!r}, this document needs {expected!r}",
                                     where=f"{etree.QName(root).localname} {name}")
        return data

    def _set(self, element: etree._Element, path: str, text: str) -> None:
        if path == ".":
            element.text = text
            return
        super()._set(element, path, text)

    # Reading runs once per metering-value series: compile each path once (per thread).
    def xpath(self, path: str) -> etree.XPath:
        compiled: dict[str, etree.XPath] = _local.__dict__.setdefault("xpaths", {})
        found = compiled.get(path)
        if found is None:
            found = compiled[path] = etree.XPath(path, namespaces=self.ns)
        return found

    def _text(self, element: etree._Element, path: str) -> str | None:
        found = self.xpath(path)(element)
        if not found:
            return None
        node = found[0]
        text = (node if isinstance(node, str) else node.text) or ""
        return text.strip() or None

    def _read_group(self, group: FieldGroup, element: etree._Element, where: str
                    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in group.fields:
            if f.each is not None:
                put(out, f.name, [self._read_group(f.each, item, f"{where}/{f.path}[{i + 1}]")
                                  for i, item in enumerate(self.xpath(f.path)(element))])
                continue
            raw = self._text(element, f.path)
            if raw is None:
                if f.required:
                    raise InvalidMessage("required element is missing",
                                         where=f"{where}/{f.path}")
                continue
            put(out, f.name, to_canonical_value(f, raw, f"{where}/{f.path}"))
        return out


@cache
def mapping() -> Mapping:
    return load_mapping(MAPPING_FILE)


@cache
def mapper() -> EmifMapper:
    return EmifMapper(mapping())


@cache
def parties() -> dict[str, str]:
    """Default GLNs (the datahub's and ours) from the mapping file."""
    doc = yaml.safe_load(MAPPING_FILE.read_text(encoding="utf-8"))
    return {k: str(v) for k, v in (doc.get("parties") or {}).items()}


def document(kind: str) -> DocumentMap:
    return mapping().document(kind)


def field(kind: str, name: str) -> FieldMap:
    """The field ``name`` of document ``kind`` in the mapping."""
    for f in document(kind).fields.fields:
        if f.name == name:
            return f
    raise KeyError(f"{MAPPING_FILE}: documents.{kind} has no field {name!r}")


# -- the XSD contract --------------------------------------------------------------------------

_VALUE = re.compile(r"The value '[^']*'")  # keep values (addresses, names) out of errors


def schema(file: str) -> etree.XMLSchema:
    cache_: dict[str, etree.XMLSchema] = _local.__dict__.setdefault("schemas", {})
    if file not in cache_:
        tree = etree.parse(str(CONTRACT_DIR / file), parser())
        cache_[file] = etree.XMLSchema(tree)
    return cache_[file]


def validate(root: etree._Element, *, where: str) -> None:
    """Validate a business document against its XSD; InvalidMessage names line, element and
    rule of the first errors (libxml2's text names the element and its type, not its value
    for most rules)."""
    file = ROOT_XSD.get(root.tag)
    if file is None:
        raise InvalidMessage(f"no contract for root element {root.tag}", where=where)
    xsd = schema(file)
    if not xsd.validate(root):
        errors = [f"line {e.line}: {_VALUE.sub('The value', e.message)}"
                  for e in list(xsd.error_log)[:3]]
        more = len(xsd.error_log) - len(errors)
        raise InvalidMessage("breaks the contract " + file + ": " + "; ".join(errors)
                             + (f" (and {more} more)" if more > 0 else ""), where=where)


# -- shared values ------------------------------------------------------------------------------

def document_id(message_id: str, *parts: str) -> str:
    """The EMIF UUID for a canonical message id: the id itself when it already is a lower-case
    UUID (so acknowledgements name our message id), else a stable UUID derived from it."""
    if not parts and len(message_id) == 36 and set(message_id) <= _UUID_CHARS:
        return message_id
    return str(uuid.uuid5(_DOC_IDS, "/".join((message_id, *parts))))


def timestamp(value: datetime) -> str:
    """DateTime3/9 in UTC with Z and at most 3 fractional digits."""
    utc = value.astimezone(UTC)
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    if utc.microsecond:
        text += f".{utc.microsecond // 1000:03d}"
    return text + "Z"


def parse_timestamp(text: str, *, where: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidMessage(f"{text!r} is not a date-time", where=where) from exc
    if value.tzinfo is None:
        raise InvalidMessage("a date-time needs a time zone", where=where)
    return value


def tag(prefix: str, local: str) -> str:
    return f"{{{NS[prefix]}}}{local}"
