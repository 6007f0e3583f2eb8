"""Apply a :class:`hub.mapping.DocumentMap` to JSON with RFC 6901 pointers (``/a/b/0``)."""

from __future__ import annotations

from typing import Any

from hub.errors import InvalidMessage
from hub.mapping import FieldGroup, FieldMap, Mapping, get, put, to_canonical_value, to_wire_value


class JsonMapper:
    """Reads and writes one mapping's JSON documents."""

    def __init__(self, mapping: Mapping) -> None:
        self.mapping = mapping

    def read(self, kind: str, doc: Any) -> dict[str, Any]:
        return self._read_group(self.mapping.document(kind).fields, doc, "")

    def _read_group(self, group: FieldGroup, doc: Any, where: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in group.fields:
            loc = f"{where}{f.path}"
            value = resolve(doc, f.path)
            if f.each is not None:
                items = value if isinstance(value, list) else []
                put(out, f.name, [self._read_group(f.each, item, f"{loc}/{i}")
                                  for i, item in enumerate(items)])
                continue
            if value is None:
                if f.required:
                    raise InvalidMessage("required field is missing", where=loc)
                continue
            if isinstance(value, (dict, list)):
                put(out, f.name, value)  # a structured value passes through as it is
            elif isinstance(value, bool | int | float) and f.code is None and f.as_ != "date":
                put(out, f.name, value)
            else:
                put(out, f.name, to_canonical_value(f, str(value), loc))
        return out

    def write(self, kind: str, data: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        self._write_group(self.mapping.document(kind).fields, out, data, kind)
        return out

    def _write_group(self, group: FieldGroup, out: dict[str, Any], data: Any,
                     where: str) -> None:
        for f in group.fields:
            value = get(data, f.name)
            if value is None:
                if f.required:
                    raise InvalidMessage("required field is missing", where=f"{where}.{f.name}")
                continue
            if f.each is not None:
                items = []
                for i, item in enumerate(value):
                    child: dict[str, Any] = {}
                    self._write_group(f.each, child, item, f"{where}.{f.name}[{i}]")
                    items.append(child)
                assign(out, f.path, items)
            elif _native(f, value):
                assign(out, f.path, value)
            else:
                assign(out, f.path, to_wire_value(f, value, f"{where}.{f.name}"))


def _native(f: FieldMap, value: Any) -> bool:
    """JSON carries numbers, booleans and structures as they are; only strings are converted."""
    if isinstance(value, dict | list):
        return True
    return f.code is None and f.as_ in ("int", "float", "bool") and not isinstance(value, str)


def _steps(pointer: str) -> list[str]:
    if pointer in ("", "/"):
        return []
    if not pointer.startswith("/"):
        raise InvalidMessage(f"JSON pointer {pointer!r} must start with /", where="mapping")
    return [s.replace("~1", "/").replace("~0", "~") for s in pointer[1:].split("/")]


def resolve(doc: Any, pointer: str) -> Any:
    node = doc
    for step in _steps(pointer):
        if isinstance(node, dict):
            node = node.get(step)
        elif isinstance(node, list) and step.isdigit() and int(step) < len(node):
            node = node[int(step)]
        else:
            return None
        if node is None:
            return None
    return node


def assign(doc: dict[str, Any], pointer: str, value: Any) -> None:
    steps = _steps(pointer)
    node = doc
    for step in steps[:-1]:
        node = node.setdefault(step, {})
    node[steps[-1]] = value
