"""elsmart SOAP body elements <-> canonical envelopes, driven by ``mapping.yaml``.

Each mapping document is one canonical message type; its fields fill
``{"envelope": {...}, "payload": {...}}``. Code does only what the mapping cannot say: choose
among documents sharing a root (by the wire status), lists of single values, payload defaults,
the case id a Case payload repeats, and a deterministic message id when the wire has none.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

from connectors.elsmart.contract import XSD, Contract, contract
from hub.toolkit import (
    ConfigurationError,
    DocumentMap,
    FieldGroup,
    InvalidMessage,
    Mapping,
    XmlMapper,
    load_mapping,
    xml_text,
)
from hub.toolkit import get_field as get
from hub.toolkit import put_field as put
from schemas.case import Case
from schemas.envelope import Envelope, derived_message_id
from schemas.payloads import model_for, parse_payload

MAPPING = Path(__file__).with_name("mapping.yaml")
INBOUND, OUTBOUND, BOTH = "inbound", "outbound", "both"


class ElsmartWire:
    """Translation for one mapping and contract (the shipped ones by default)."""

    def __init__(self, mapping: Mapping, schema: Contract) -> None:
        self.mapping = mapping
        self.mapper = XmlMapper(mapping)
        self.contract = schema
        self._by_root: dict[str, list[str]] = {}
        for kind, doc in mapping.documents.items():
            if doc.extra.get("direction") not in (INBOUND, OUTBOUND, BOTH) or not doc.root:
                raise ConfigurationError("a document needs a root and a direction "
                                         "(inbound, outbound or both)",
                                         where=f"{mapping.source}: documents.{kind}")
            self._by_root.setdefault(self.qname(doc.root), []).append(kind)

    @classmethod
    def load(cls, mapping: Path = MAPPING, xsd: Path = XSD) -> ElsmartWire:
        return _load(mapping, xsd)

    # -- names ----------------------------------------------------------------------------

    def qname(self, step: str) -> str:
        prefix, _, local = step.rpartition(":")
        if prefix and prefix not in self.mapping.namespaces:
            raise ConfigurationError(f"unknown namespace prefix {prefix!r}",
                                     where=self.mapping.source)
        return f"{{{self.mapping.namespaces[prefix]}}}{local}" if prefix else local

    def operation(self, type_: str) -> str:
        """The SOAP operation (root local name) that carries ``type_``."""
        return etree.QName(self.qname(self._document(type_).root or "")).localname

    def direction(self, type_: str) -> str:
        return str(self._document(type_).extra["direction"])

    def operations(self, direction: str) -> list[str]:
        """Operation names a side accepts: ``inbound`` (gridhub's) or ``outbound`` (portal's)."""
        return sorted({etree.QName(root).localname for root, kinds in self._by_root.items()
                       if any(self.direction(k) in (direction, BOTH) for k in kinds)})

    def _document(self, type_: str) -> DocumentMap:
        doc = self.mapping.documents.get(type_)
        if doc is None:
            raise InvalidMessage(f"elsmart carries no {type_!r} messages (it carries: "
                                 f"{', '.join(sorted(self.mapping.documents))})", where="type")
        return doc

    # -- wire -> canonical ------------------------------------------------------------------

    def read(self, element: etree._Element, *, direction: str | None = None,
             source: str | None = None) -> Envelope:
        """A request body element -> its canonical envelope (validated both ways).

        ``source`` defaults to "elsmart" for what the portal sends and "hub" for what it gets.
        """
        operation = etree.QName(element).localname
        kinds = self._by_root.get(element.tag)
        if direction is not None and kinds:
            kinds = [k for k in kinds if self.direction(k) in (direction, BOTH)]
        if not kinds:
            self._check_namespace(element)
            known = ", ".join(self.operations(direction or BOTH) if direction
                              else sorted(etree.QName(r).localname for r in self._by_root))
            raise InvalidMessage(f"unknown operation {operation} (known: {known})",
                                 where=operation)
        self.contract.check(element, where=operation)
        type_ = self._select(kinds, element) if len(kinds) > 1 else kinds[0]
        data = self.mapper.read(type_, element)
        self._read_lists(self.mapping.documents[type_], element, data)
        if source is None:
            source = "hub" if self.direction(type_) == OUTBOUND else "elsmart"
        return self._envelope(type_, data, element, source)

    def _check_namespace(self, element: etree._Element) -> None:
        """A known operation in a foreign namespace: say so, not "unknown operation"."""
        name = etree.QName(element)
        expected = {etree.QName(root).namespace for root in self._by_root
                    if etree.QName(root).localname == name.localname}
        if expected and name.namespace not in expected:
            raise InvalidMessage(f"{name.localname} is in namespace {name.namespace or '(none)'!r}"
                                 f", expected {' or '.join(sorted(map(repr, expected)))}",
                                 where=name.localname)

    def _select(self, kinds: list[str], element: etree._Element) -> str:
        status = self.mapper.read(kinds[0], element).get("status")
        for kind in kinds:
            if self.mapping.documents[kind].extra.get("status") == status:
                return kind
        raise InvalidMessage(f"status {status!r} selects no message type",
                             where=etree.QName(element).localname)

    def _read_lists(self, doc: DocumentMap, element: etree._Element,
                    data: dict[str, Any]) -> None:
        for name, path in (doc.extra.get("lists") or {}).items():
            found = element.xpath(path, namespaces=self.mapping.namespaces)
            put(data, name, [(node.text or "").strip() for node in found])

    def _envelope(self, type_: str, data: dict[str, Any], element: etree._Element,
                  source: str) -> Envelope:
        head = data.get("envelope", {})
        payload = dict(data.get("payload", {}))
        for key, value in (self.mapping.documents[type_].extra.get("defaults") or {}).items():
            payload.setdefault(key, value)
        case_id = head["case_id"]
        if model_for(type_) is Case:
            payload["case_id"] = case_id
        message_id = head.get("message_id") or _content_id(element)
        try:
            envelope = Envelope(message_id=message_id, case_id=case_id, type=type_,
                                source=source, payload=payload,
                                occurred_at=head.get("occurred_at") or datetime.now(UTC))
        except ValueError as exc:
            raise InvalidMessage(f"envelope is invalid: {exc}",
                                 where=etree.QName(element).localname) from None
        try:
            model = parse_payload(envelope)
        except InvalidMessage as exc:
            raise InvalidMessage(exc.message, where=self._wire_where(type_, exc.where)) from None
        return envelope.model_copy(update={"payload": model.model_dump(mode="json")})

    def _wire_where(self, type_: str, loc: str | None) -> str:
        doc = self.mapping.documents[type_]
        operation = etree.QName(self.qname(doc.root or "")).localname
        path = wire_path(doc.fields, loc or "")
        return f"{operation}/{path} ({loc})" if path else f"{operation} ({loc})"

    # -- canonical -> wire ------------------------------------------------------------------

    def write(self, message: Envelope) -> etree._Element:
        """A canonical envelope -> the request body element (validated both ways)."""
        doc = self._document(message.type)
        payload = parse_payload(message).model_dump(mode="json")
        if model_for(message.type) is Case and payload.get("case_id") != message.case_id:
            raise InvalidMessage(f"payload is case {payload.get('case_id')!r} but the envelope "
                                 f"names {message.case_id!r}", where="payload.case_id")
        head = message.model_dump(mode="json", include={"message_id", "case_id", "occurred_at"})
        data = {"envelope": head, "payload": payload, "status": doc.extra.get("status")}
        element = self.mapper.write(message.type, data)
        self._write_lists(doc, element, data)
        self.contract.check(element, where=etree.QName(element).localname)
        return element

    def _write_lists(self, doc: DocumentMap, element: etree._Element,
                     data: dict[str, Any]) -> None:
        for name, path in (doc.extra.get("lists") or {}).items():
            values = get(data, name) or []
            if not values:
                continue
            *parents, leaf = path.split("/")
            node = element
            for step in parents:
                child = node.find(self.qname(step))
                node = child if child is not None else etree.SubElement(node, self.qname(step))
            for i, value in enumerate(values):
                text = xml_text(str(value), where=f"{doc.root}.{name}[{i}]")
                etree.SubElement(node, self.qname(leaf)).text = text


def wire_path(group: FieldGroup, loc: str) -> str | None:
    """The wire path of canonical location ``payload.facilities.0.facility_id``, if mapped."""
    for f in group.fields:
        if f.each is not None and loc.startswith(f.name + "."):
            index, _, rest = loc[len(f.name) + 1:].partition(".")
            inner = wire_path(f.each, rest) if rest else None
            step = f"{f.path}[{int(index) + 1}]" if index.isdigit() else f.path
            return f"{step}/{inner}" if inner else step
        if f.name == loc or (f.each is None and loc.startswith(f.name + ".")):
            return f.path
    parent = loc.rpartition(".")[0]
    if parent and parent != loc:  # a model-level error: name the first field under it
        prefix = parent + "."
        for f in group.fields:
            if f.name.startswith(prefix):
                return f.path.rpartition("/")[0] or None
    return None


def _content_id(element: etree._Element) -> str:
    """A stable id for a request without MessageId: a retried identical call dedupes."""
    digest = hashlib.sha256(etree.tostring(element, method="c14n")).hexdigest()
    return derived_message_id("elsmart", etree.QName(element).localname, digest)


@lru_cache(maxsize=4)
def _load(mapping: Path, xsd: Path) -> ElsmartWire:
    return ElsmartWire(load_mapping(mapping), contract(xsd))
