"""Every EMIF document kind <-> its canonical message, lossless both ways (structure.py).

The canonical payload keeps the document whole: ``header``, ``context`` and ``payload`` (or
``payloads`` where the kind repeats it), each element under a snake_case key, a repeated element
as a list, every value as the text that was sent (so ``1.50`` stays ``1.50`` and estimation,
validation and quality codes stay exactly as sent). An attribute that can take more than one
value is kept beside the value (``{"value": "EH031", "agency": "89"}``); one that can take a
single value is written, not kept. The writer fills in nothing: a required element the message
does not carry is an error naming it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lxml import etree

from connectors.elhub import emif
from connectors.elhub.structure import BY_ROOT, BY_TYPE, CONTEXT, HEADER, Choice, El, Kind
from hub.toolkit import InvalidMessage
from schemas.envelope import Envelope

SOURCE = "elhub"
ABIE = emif.ABIE
Value = str | dict[str, Any] | list[Any]


def kind_of(root: etree._Element) -> Kind | None:
    qname = etree.QName(root)
    kind = BY_ROOT.get(qname.localname)
    return kind if kind is not None and qname.namespace == kind.namespace else None


def payload_key(kind: Kind) -> str:
    return "payloads" if kind.payload.max > 1 else "payload"


# -- wire -> canonical ---------------------------------------------------------------------------

def read(root: etree._Element) -> Envelope:
    """One business document -> its canonical message (validated against its XSD first)."""
    kind = kind_of(root)
    if kind is None:
        raise InvalidMessage(f"{etree.QName(root).text} is no known EMIF document",
                             where=etree.QName(root).localname)
    emif.validate(root, where=kind.root)
    children = list(root)
    payload: dict[str, Any] = {"header": _read(HEADER, children[0]),
                               "context": _read(CONTEXT, children[1])}
    items = [_read(kind.payload, c) for c in children[2:]]
    payload[payload_key(kind)] = items if kind.payload.max > 1 else items[0]
    header = payload["header"]
    try:
        return Envelope(message_id=header["id"], case_id=_case_of(payload) or header["id"],
                        type=kind.message_type, source=SOURCE,
                        occurred_at=_instant(header["creation"]), payload=payload)
    except ValueError as exc:
        raise InvalidMessage(f"header is invalid: {exc}", where=f"{kind.root}/Header") from None


def _read(spec: El, element: etree._Element) -> Value:
    if spec.flat:
        return _read(_child(spec), element[0])
    kept = {a.key: element.get(a.name) for a in spec.attrs
            if a.fixed is None and element.get(a.name) is not None}
    if spec.leaf:
        text = element.text or ""
        return {"value": text, **kept} if any(a.fixed is None for a in spec.attrs) else text
    out: dict[str, Any] = dict(kept)
    found: dict[str, list[etree._Element]] = {}
    for child in element:
        if isinstance(child.tag, str):
            found.setdefault(etree.QName(child).localname, []).append(child)
    for node in spec.children:
        for option in node.options if isinstance(node, Choice) else (node,):
            elements = found.get(option.name, [])
            if not elements:
                continue
            values = [_read(option, e) for e in elements]
            out[option.key] = values if option.max > 1 else values[0]
    return out


def _child(spec: El) -> El:
    """A reference's one child (its Identification)."""
    child = spec.children[0]
    assert isinstance(child, El)
    return child


def _case_of(payload: dict[str, Any]) -> str | None:
    """The metering point the document is about, for the case id (the first one named)."""
    body = payload.get("payload") or (payload.get("payloads") or [{}])[0]
    found = body.get("metering_point")
    if found is None and isinstance(body.get("reminders"), list):
        found = body["reminders"][0].get("metering_point")
    return found if isinstance(found, str) and found else None


def _instant(text: str) -> datetime:
    """A DateTime9 as a datetime: Python keeps microseconds, so longer fractions are cut
    (the payload keeps the text as sent)."""
    head, dot, rest = text.partition(".")
    if dot:
        digits = len(rest) - len(rest.lstrip("0123456789"))
        rest = rest[:min(digits, 6)] + rest[digits:]
        text = f"{head}.{rest}"
    return emif.parse_timestamp(text.replace("Z", "+00:00"), where="Header/Creation")


# -- canonical -> wire ---------------------------------------------------------------------------

def write(message: Envelope) -> etree._Element:
    """A canonical message of a document kind -> the validated document."""
    kind = BY_TYPE.get(message.type)
    if kind is None:
        raise InvalidMessage(f"the elhub contract carries no {message.type!r} (no document "
                             f"kind of the structure reference)", where="type")
    data = message.payload
    unknown = set(data) - {"header", "context", payload_key(kind)}
    if unknown:
        raise InvalidMessage(f"has {sorted(unknown)}, which {kind.root} has no place for",
                             where="payload")
    root = etree.Element(f"{{{kind.namespace}}}{kind.root}", nsmap={"rsm": kind.namespace,
                                                                     "abie": ABIE})
    _write(HEADER, _need(data, "header", "payload"), root, kind.namespace, "payload.header")
    _write(CONTEXT, _need(data, "context", "payload"), root, kind.namespace, "payload.context")
    key = payload_key(kind)
    body = _need(data, key, "payload")
    items = body if kind.payload.max > 1 else [body]
    if not isinstance(items, list) or not 1 <= len(items) <= kind.payload.max:
        raise InvalidMessage(f"needs 1..{kind.payload.max} payloads", where=f"payload.{key}")
    for i, item in enumerate(items):
        where = f"payload.{key}[{i}]" if kind.payload.max > 1 else f"payload.{key}"
        _write(kind.payload, item, root, kind.namespace, where)
    emif.validate(root, where=f"{message.type} -> {kind.root}")
    return root


def to_bytes(message: Envelope) -> bytes:
    return etree.tostring(write(message), xml_declaration=True, encoding="UTF-8")


def _need(data: dict[str, Any], key: str, where: str) -> Any:
    if data.get(key) is None:
        raise InvalidMessage("is required and missing", where=f"{where}.{key}")
    return data[key]


def _write(spec: El, value: Any, parent: etree._Element, namespace: str, where: str) -> None:
    element = etree.SubElement(parent, f"{{{namespace}}}{spec.name}")
    if spec.flat:
        _write(_child(spec), value, element, ABIE, where)
        return
    variable = [a for a in spec.attrs if a.fixed is None]
    if spec.leaf and not variable:
        if not isinstance(value, str):
            raise InvalidMessage(f"must be text, not {type(value).__name__}", where=where)
        element.text = value or None
        _attributes(spec, {}, element, where)
        return
    if not isinstance(value, dict):
        raise InvalidMessage(f"must be an object, not {type(value).__name__}", where=where)
    _attributes(spec, value, element, where)
    if spec.leaf:
        _only(value, {"value", *(a.key for a in variable)}, where)
        text = value.get("value")
        if not isinstance(text, str):
            raise InvalidMessage("is required and missing", where=f"{where}.value")
        element.text = text or None
        return
    _children(spec, value, element, where)


def _attributes(spec: El, value: dict[str, Any], element: etree._Element, where: str) -> None:
    for attr in spec.attrs:
        found = attr.fixed if attr.fixed is not None else value.get(attr.key)
        if found is None:
            if attr.required:
                raise InvalidMessage("is required and missing", where=f"{where}.{attr.key}")
            continue
        element.set(attr.name, str(found))


def _children(spec: El, value: dict[str, Any], element: etree._Element, where: str) -> None:
    allowed = {a.key for a in spec.attrs if a.fixed is None}
    for node in spec.children:
        options = node.options if isinstance(node, Choice) else (node,)
        allowed.update(o.key for o in options)
        present = [o for o in options if value.get(o.key) is not None]
        if isinstance(node, Choice) and len(present) > 1:
            raise InvalidMessage(f"has {', '.join(o.key for o in present)}; the structure "
                                 f"allows one of them", where=where)
        if not present:
            if node.min >= 1:
                names = " or ".join(o.key for o in options)
                raise InvalidMessage("is required and missing", where=f"{where}.{names}")
            continue
        option = present[0]
        item = value[option.key]
        if option.max > 1:
            if not isinstance(item, list) or not option.min <= len(item) <= option.max:
                raise InvalidMessage(f"needs a list of {option.min}..{option.max}",
                                     where=f"{where}.{option.key}")
            for i, one in enumerate(item):
                _write(option, one, element, ABIE, f"{where}.{option.key}[{i}]")
        else:
            _write(option, item, element, ABIE, f"{where}.{option.key}")
    _only(value, allowed, where)


def _only(value: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = set(value) - allowed
    if unknown:
        raise InvalidMessage(f"has {sorted(unknown)}, which the structure has no place for",
                             where=where)
