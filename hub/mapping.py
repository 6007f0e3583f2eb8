"""Declarative mapping between wire documents and canonical dicts.

A connector's ``mapping.yaml`` says, per document kind, where each canonical field lives on the
wire: an XPath (XML and SOAP) or a JSON pointer (JSON), with an optional converter and code list.
The same entry maps both ways, so a grid owner adapts to their vendor's schema by editing the
file, not the code::

    namespaces: {k: "urn:gridhub:kis:v1"}
    codes:
      billing: {EJ: not_billable, OFF: quote_sent}
    documents:
      LookupAnswer:                       # a kind the connector names
        root: k:LookupAnswer              # XML: root element to write (optional for reading)
        fields:
          case_id: k:CaseRef              # shorthand: path only
          status_code: {path: k:Status/k:Code, as: int}
          billing: {path: k:Billing, code: billing}
          ready: {path: k:Ready, as: date, format: "%Y%m%d"}
          facilities:                     # a repeated group
            each: k:Facilities/k:Facility
            fields: {meter_number: k:MeterNo}

Canonical field names are dotted paths into the produced dict (``customer.name``). Paths in XML
are relative to the root element and use ``/`` steps with prefixes from ``namespaces``; an
attribute is ``@name`` as the last step. JSON paths are RFC 6901 pointers (``/customer/name``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from hub.errors import ConfigurationError, InvalidMessage

_CONVERTERS = ("str", "int", "float", "decimal", "bool", "date", "datetime")


@dataclass(frozen=True)
class FieldMap:
    name: str  # dotted canonical path
    path: str  # XPath-ish or JSON pointer
    as_: str = "str"
    fmt: str | None = None
    code: dict[str, str] | None = None  # wire -> canonical
    each: FieldGroup | None = None
    required: bool = False


@dataclass(frozen=True)
class FieldGroup:
    fields: tuple[FieldMap, ...]


@dataclass(frozen=True)
class DocumentMap:
    kind: str
    root: str | None
    fields: FieldGroup
    extra: dict[str, Any] = field(default_factory=dict)  # anything else the connector reads


@dataclass(frozen=True)
class Mapping:
    """A loaded mapping file: namespaces, code lists and document maps."""

    source: str
    namespaces: dict[str, str]
    documents: dict[str, DocumentMap]

    def document(self, kind: str) -> DocumentMap:
        try:
            return self.documents[kind]
        except KeyError:
            raise ConfigurationError(f"no document {kind!r} in the mapping (has: "
                                     f"{', '.join(sorted(self.documents))})",
                                     where=self.source) from None


def load_mapping(path: Path) -> Mapping:
    """Load and check a mapping file; errors name the file and key."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"not valid YAML: {exc}", where=str(path)) from exc
    return parse_mapping(doc, source=str(path))


def parse_mapping(doc: dict[str, Any], *, source: str = "mapping") -> Mapping:
    codes = doc.get("codes") or {}
    if not isinstance(codes, dict):
        raise ConfigurationError("codes must be a mapping", where=f"{source}: codes")
    documents = {}
    for kind, spec in (doc.get("documents") or {}).items():
        where = f"{source}: documents.{kind}"
        if not isinstance(spec, dict) or "fields" not in spec:
            raise ConfigurationError("a document needs 'fields'", where=where)
        extra = {k: v for k, v in spec.items() if k not in ("root", "fields")}
        documents[kind] = DocumentMap(kind, spec.get("root"),
                                      _group(spec["fields"], codes, where), extra)
    return Mapping(source, dict(doc.get("namespaces") or {}), documents)


def _group(fields: Any, codes: dict[str, Any], where: str) -> FieldGroup:
    if not isinstance(fields, dict):
        raise ConfigurationError("fields must be a mapping", where=where)
    return FieldGroup(tuple(_field(name, spec, codes, f"{where}.fields.{name}")
                            for name, spec in fields.items()))


def _field(name: str, spec: Any, codes: dict[str, Any], where: str) -> FieldMap:
    if isinstance(spec, str):
        return FieldMap(name, spec)
    if not isinstance(spec, dict):
        raise ConfigurationError("a field is a path or a mapping", where=where)
    if "each" in spec:
        return FieldMap(name, spec["each"], as_="list",
                        each=_group(spec.get("fields", {}), codes, where))
    as_ = spec.get("as", "str")
    if as_ not in _CONVERTERS:
        raise ConfigurationError(f"unknown converter {as_!r} (one of {', '.join(_CONVERTERS)})",
                                 where=where)
    code = spec.get("code")
    if code is not None and code not in codes:
        raise ConfigurationError(f"unknown code list {code!r}", where=where)
    if "path" not in spec:
        raise ConfigurationError("missing 'path'", where=where)
    return FieldMap(name, spec["path"], as_, spec.get("format"),
                    {str(k): str(v) for k, v in codes[code].items()} if code else None,
                    required=bool(spec.get("required", False)))


# -- values ---------------------------------------------------------------------------------

def to_canonical_value(f: FieldMap, raw: str, where: str) -> Any:
    """A wire string -> the canonical value (code list, then converter)."""
    if f.code is not None:
        if raw not in f.code:
            raise InvalidMessage(f"{raw!r} is not in the code list (known: "
                                 f"{', '.join(sorted(f.code))})", where=where)
        return f.code[raw]
    try:
        if f.as_ == "int":
            return int(raw)
        if f.as_ == "float":
            return float(raw.replace(",", "."))
        if f.as_ == "decimal":
            return str(Decimal(raw.replace(",", ".")))
        if f.as_ == "bool":
            return _bool(raw)
        if f.as_ == "date":
            return (datetime.strptime(raw, f.fmt).date() if f.fmt
                    else date.fromisoformat(raw)).isoformat()
        if f.as_ == "datetime":
            return (datetime.strptime(raw, f.fmt) if f.fmt
                    else datetime.fromisoformat(raw)).isoformat()
    except (ValueError, ArithmeticError) as exc:
        raise InvalidMessage(f"{raw!r} is not a valid {f.as_}"
                             + (f" in format {f.fmt}" if f.fmt else ""), where=where) from exc
    return raw


def to_wire_value(f: FieldMap, value: Any, where: str) -> str:
    """A canonical value -> the wire string (reverse code list, formats)."""
    if f.code is not None:
        reverse = {v: k for k, v in f.code.items()}
        key = str(value.value if hasattr(value, "value") else value)
        if key not in reverse:
            raise InvalidMessage(f"{key!r} has no wire code (known: "
                                 f"{', '.join(sorted(reverse))})", where=where)
        return reverse[key]
    if f.as_ == "bool":
        return "true" if value in (True, "true", "True", 1) else "false"
    if f.as_ in ("date", "datetime") and f.fmt:
        parsed = (date.fromisoformat(str(value)) if f.as_ == "date"
                  else datetime.fromisoformat(str(value)))
        return parsed.strftime(f.fmt)
    return str(value.value if hasattr(value, "value") else value)


def _bool(raw: str) -> bool:
    low = raw.strip().lower()
    if low in ("true", "1", "yes", "ja", "j", "y"):
        return True
    if low in ("false", "0", "no", "nej", "nei", "n"):
        return False
    raise ValueError(raw)


# -- nested dicts -----------------------------------------------------------------------------

def put(target: dict[str, Any], dotted: str, value: Any) -> None:
    """Set ``target[a][b] = value`` for ``a.b``."""
    *parents, last = dotted.split(".")
    node = target
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value


def get(source: Any, dotted: str) -> Any:
    """``source[a][b]`` for ``a.b``, or None when any step is missing."""
    node = source
    for part in dotted.split("."):
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
        if node is None:
            return None
    return node
