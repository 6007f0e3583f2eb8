"""The metering coordinator's JSON documents <-> canonical envelopes, without I/O.

Every document is checked against its JSON Schema under ``schemas/contracts/metering/`` both
ways, and mapped by ``mapping.yaml`` (RFC 6901 pointers and code lists). The code here only
picks the document kind, fills the envelope and turns library errors into InvalidMessage.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource

import schemas
from hub.toolkit import DocumentMap, InvalidMessage, JsonMapper, Mapping, load_mapping
from hub.toolkit import json_assign as assign
from hub.toolkit import json_resolve as resolve
from schemas.envelope import Envelope, derived_message_id
from schemas.payloads import parse_payload

SOURCE = "metering"
CONTRACT_DIR = Path(schemas.__file__).parent / "contracts" / "metering"
MAPPING_FILE = Path(__file__).with_name("mapping.yaml")

REQUEST = "request"
RESOURCE = "resource"
_SCHEMA_OF = {REQUEST: "workorder-request", RESOURCE: "workorder"}
_EVENT_SCHEMA = "workorder-event"
_VALUES_SCHEMA = "meteringvalues-event"
VALUES_EVENT = "METERING_VALUES_COLLECTED"
# The largest document is a list of values events (one metering point-day is ~10 KB):
# anything beyond this is refused before it is parsed.
MAX_JSON_BYTES = 10 * 1024 * 1024


@cache
def mapping() -> Mapping:
    return load_mapping(MAPPING_FILE)


@cache
def mapper() -> JsonMapper:
    return JsonMapper(mapping())


@cache
def _registry() -> Registry:
    resources = []
    for path in sorted(CONTRACT_DIR.glob("*.schema.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((contents["$id"], Resource.from_contents(contents)))
    registry: Registry = Registry().with_resources(resources)
    return registry


@cache
def validator(name: str) -> Draft202012Validator:
    """The compiled validator of ``schemas/contracts/metering/<name>.schema.json``."""
    schema = json.loads((CONTRACT_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
    return Draft202012Validator(schema, registry=_registry())


def first_violation(doc: Any, schema: str) -> tuple[str, str] | None:
    """(JSON pointer, rule) of the first violation of ``schema``, or None when valid."""
    errors = sorted(validator(schema).iter_errors(doc), key=lambda e: list(e.absolute_path))
    if not errors:
        return None
    pointer = "/" + "/".join(str(p) for p in errors[0].absolute_path)
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return pointer, f"{_rule(errors[0])}{more}"


def validate(doc: Any, schema: str, *, where: str) -> None:
    """InvalidMessage naming the JSON pointer and the rule of the first violation."""
    found = first_violation(doc, schema)
    if found is not None:
        pointer, rule = found
        raise InvalidMessage(rule, where=f"{where} {pointer} ({schema})")


def _rule(error: ValidationError) -> str:
    # Never the offending value itself: it may be an address or a meter number.
    if error.validator in ("required", "additionalProperties"):
        return error.message
    if error.validator in ("enum", "const"):
        return f"is not one of the allowed values {error.validator_value!r}"[:300]
    return f"breaks the rule {error.validator}={error.validator_value!r}"[:300]


def kind_of(doc: Any, where: str = "metering document") -> str:
    """The mapping's document kind of a wire document."""
    if not isinstance(doc, dict):
        raise InvalidMessage("a metering document is a JSON object", where=where)
    if "eventType" in doc:
        event = doc["eventType"]
        if not isinstance(event, str) or event not in mapping().documents or event in _SCHEMA_OF:
            known = sorted(k for k in mapping().documents if k not in _SCHEMA_OF)
            raise InvalidMessage(f"unknown eventType (known: {', '.join(known)})",
                                 where=f"{where} /eventType")
        return event
    return RESOURCE if "workOrderId" in doc else REQUEST


def schema_of(kind: str) -> str:
    if kind in _SCHEMA_OF:
        return _SCHEMA_OF[kind]
    return _VALUES_SCHEMA if kind == VALUES_EVENT else _EVENT_SCHEMA


def kind_for_type(type_: str, *, request_side: bool = False) -> str:
    """The document kind that carries canonical ``type_`` (events before the resource)."""
    for kind, doc in mapping().documents.items():
        if doc.extra.get("type") == type_ and (kind != RESOURCE or request_side):
            return kind
    raise InvalidMessage(f"the metering contract carries no {type_!r}", where="type")


def parse_json(data: bytes, *, where: str, max_bytes: int = MAX_JSON_BYTES) -> Any:
    """``data`` as JSON; too large, too deeply nested or not JSON is an InvalidMessage."""
    if len(data) > max_bytes:
        raise InvalidMessage(f"JSON is {len(data)} bytes, more than the limit of {max_bytes}",
                             where=where)
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidMessage(f"not JSON: {exc}", where=where) from exc
    except RecursionError:  # [[[[...]]]] deeper than the interpreter's stack: a bomb
        raise InvalidMessage("JSON is nested too deeply", where=where) from None


def to_envelope(doc: dict[str, Any], *, where: str = "metering document") -> Envelope:
    """One validated wire document -> its canonical envelope (payload checked by its model)."""
    kind = kind_of(doc, where)
    validate(doc, schema_of(kind), where=where)
    spec = mapping().document(kind)
    payload = mapper().read(kind, doc)
    ids = {name: resolve(doc, pointer) for name, pointer in spec.extra["envelope"].items()}
    type_ = spec.extra["type"]
    if "causation_id" in ids:  # an answer: its id is derived like Envelope.derive does
        ids["message_id"] = derived_message_id(ids["causation_id"], type_,
                                               payload["workorder_id"])
    try:
        envelope = Envelope(type=type_, source=SOURCE, payload=payload, **ids)
    except ValueError as exc:
        raise InvalidMessage(f"envelope fields are invalid: {exc}", where=where) from None
    try:
        parsed = parse_payload(envelope)
    except InvalidMessage as exc:  # name the document too, not only the payload field
        raise InvalidMessage(exc.message, where=f"{where} {exc.where or ''}".strip()) from exc
    return envelope.model_copy(update={"payload": parsed.model_dump(mode="json",
                                                                    exclude_none=True)})


def to_canonical(data: bytes) -> list[Envelope]:
    """A wire document (request, resource, or event; or a JSON list of them) -> envelopes."""
    doc = parse_json(data, where="metering document")
    docs = doc if isinstance(doc, list) else [doc]
    return [to_envelope(d, where=f"metering document[{i}]" if isinstance(doc, list)
                        else "metering document") for i, d in enumerate(docs)]


def to_document(message: Envelope, kind: str | None = None) -> dict[str, Any]:
    """A canonical envelope -> the validated wire document of ``kind`` (default by type)."""
    parsed = parse_payload(message)
    payload = parsed.model_dump(mode="json", exclude_none=True)
    kind = kind or kind_for_type(message.type)
    spec: DocumentMap = mapping().document(kind)
    doc: dict[str, Any] = {}
    if kind not in _SCHEMA_OF:
        doc["eventType"] = kind
    values = {"message_id": message.message_id, "case_id": message.case_id,
              "occurred_at": message.occurred_at.isoformat(),
              "causation_id": message.causation_id}
    for name, pointer in spec.extra["envelope"].items():
        if values.get(name) is not None:
            assign(doc, pointer, values[name])
    _merge(doc, mapper().write(kind, payload))
    validate(doc, schema_of(kind), where=f"{message.type} -> metering {kind}")
    return doc


def to_wire(message: Envelope) -> bytes:
    return json.dumps(to_document(message), ensure_ascii=False).encode("utf-8")


def _merge(into: dict[str, Any], other: dict[str, Any]) -> None:
    for key, value in other.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value
