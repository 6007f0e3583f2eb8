"""Business keys: the GSRNs, meter numbers and work-order ids in a payload, by which ops find
a case, its trace and its dead letters.

Found by walking the validated payload model; per model class only the fields whose type
can hold a key are visited (most fields of a case are text, dates and codes).
"""

from __future__ import annotations

import types
import typing
from typing import Any, Literal

from pydantic import BaseModel

from schemas.envelope import Envelope
from schemas.identifiers import Gsrn
from schemas.payloads import parse_payload

KEY_GSRN = "gsrn"
KEY_METER = "meter_number"
KEY_WORKORDER = "workorder_id"
_METER_FIELDS = frozenset({"meter_number", "old_meter_number"})


def business_keys(envelope: Envelope) -> dict[str, list[str]]:
    """GSRNs, meter numbers and work-order ids in the envelope's payload (for the trace).
    Raises like :func:`~schemas.payloads.parse_payload` when the payload is invalid."""
    return payload_keys(parse_payload(envelope))


def payload_keys(payload: BaseModel) -> dict[str, list[str]]:
    """The business keys of an already validated payload, sorted (no validation)."""
    return sorted_keys(business_keys_of(payload))


def business_keys_of(payload: BaseModel) -> dict[str, set[str]]:
    """The keys of a validated payload by kind, as sets (the projection merges them)."""
    found: dict[str, set[str]] = {}
    _collect(payload, None, found)
    return {name: values for name, values in found.items() if values}


def sorted_keys(found: dict[str, set[str]]) -> dict[str, list[str]]:
    """Keys as the trace stores them: kinds and values sorted, empty kinds left out."""
    return {name: sorted(values) for name, values in sorted(found.items()) if values}


def _collect(value: Any, name: str | None, found: dict[str, set[str]]) -> None:
    if isinstance(value, Gsrn):
        found.setdefault(KEY_GSRN, set()).add(value.reveal())
    elif isinstance(value, str):
        if name in _METER_FIELDS:
            found.setdefault(KEY_METER, set()).add(value)
        elif name == KEY_WORKORDER:
            found.setdefault(KEY_WORKORDER, set()).add(value)
    elif isinstance(value, BaseModel):
        for field_name in _fields_with_keys(type(value)):
            _collect(getattr(value, field_name), field_name, found)
    elif isinstance(value, list | tuple):
        for item in value:
            _collect(item, name, found)


# Per model class, the fields whose type can hold a key: walking only those is what keeps
# the keys cheap (most fields of a case are text, dates and codes).
_KEY_FIELDS: dict[type[BaseModel], tuple[str, ...]] = {}
_KEY_NAMES = _METER_FIELDS | {KEY_WORKORDER}


def _fields_with_keys(model: type[BaseModel]) -> tuple[str, ...]:
    found = _KEY_FIELDS.get(model)
    if found is None:
        found = tuple(name for name, info in model.model_fields.items()
                      if name in _KEY_NAMES or _may_hold_keys(info.annotation))
        _KEY_FIELDS[model] = found
    return found


def _may_hold_keys(annotation: Any) -> bool:
    """Can a value of this type be (or contain) a GSRN or another model? Unknown type
    constructs answer yes: walking a field too many costs time, one too few loses a key.
    A plain ``str`` field cannot hold a ``Gsrn`` (validation makes it a plain string)."""
    if annotation is Any:
        return True
    if annotation is None or annotation is type(None):
        return False
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _may_hold_keys(typing.get_args(annotation)[0])
    if origin is Literal:
        return False
    if origin is not None or isinstance(annotation, types.UnionType):
        return any(_may_hold_keys(arg) for arg in typing.get_args(annotation)
                   if arg is not Ellipsis)
    if isinstance(annotation, type):
        if issubclass(annotation, Gsrn | BaseModel):
            return True
        return issubclass(Gsrn, annotation) and annotation not in (str, object)
    return True
