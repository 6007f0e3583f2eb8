"""What the webhook sends: the canonical envelope as it is, or the target's own JSON built by a
declarative mapping (the mapping language of every connector, ``hub.mapping``).

A body mapping has one document per message type; its fields name canonical paths on the
left and JSON pointers into the target's body on the right::

    documents:
      case.archived:
        path: /installations          # optional: appended to the connector's url
        fields:
          case_id: /caseId
          occurred_at: /archivedAt
          case.facilities:            # with_case: true on the route: the case as it stands
            each: /installations
            fields: {facility_id: /gsrn, meter_number: /meter, main_fuse_a: {path: /fuseA, as: int}}

The canonical side of a message is ``message_id``, ``case_id``, ``type``, ``source``,
``occurred_at``, ``payload.*`` and, when its route has ``with_case: true``, ``case.*``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hub.toolkit import (
    ConfigurationError,
    InvalidMessage,
    JsonMapper,
    Mapping,
    load_mapping,
)
from schemas.envelope import Envelope
from schemas.message_types import MessageType

_TYPES = tuple(t.value for t in MessageType)


def load_body_mapping(path: Path) -> Mapping:
    """The mapping at ``path``, checked: known message types, JSON pointers everywhere."""
    if not path.is_file():
        raise ConfigurationError(f"no such mapping file: {path}", where="webhook settings.mapping")
    mapping = load_mapping(path)
    for kind, document in mapping.documents.items():
        where = f"{path}: documents.{kind}"
        if kind not in _TYPES:
            raise ConfigurationError(f"{kind!r} is not a message type (the catalogue is "
                                     "schemas/message_types.py)", where=where)
        _check_pointers(document.fields.fields, where)
        target = document.extra.get("path")
        if target is not None and (not isinstance(target, str) or not target.startswith("/")):
            raise ConfigurationError("path must start with /, e.g. /installations",
                                     where=f"{where}.path")
    return mapping


def _check_pointers(fields: Any, where: str) -> None:
    for f in fields:
        if not f.path.startswith("/"):
            raise ConfigurationError(f"{f.path!r} is not a JSON pointer: it starts with /, "
                                     "e.g. /caseId", where=f"{where}.fields.{f.name}")
        if f.each is not None:
            _check_pointers(f.each.fields, f"{where}.fields.{f.name}")


def canonical_view(message: Envelope) -> dict[str, Any]:
    """The message as the mapping's left side names it (``case`` lifted out of the payload)."""
    payload = dict(message.payload)
    case = payload.pop("case", None)
    view = message.model_dump(mode="json", exclude={"payload"})
    view["payload"] = json.loads(json.dumps(payload, default=str))
    view["case"] = case
    return view


class Body:
    """Builds the body (and the url path) for one message."""

    def __init__(self, mapping: Mapping | None) -> None:
        self.mapping = mapping
        self.mapper = JsonMapper(mapping) if mapping is not None else None

    def build(self, message: Envelope) -> tuple[str, bytes]:
        """(path below the url, JSON body); InvalidMessage when the type has no document."""
        if self.mapping is None or self.mapper is None:
            return "", message.model_dump_json().encode()
        document = self.mapping.documents.get(message.type)
        if document is None:
            raise InvalidMessage(f"the body mapping has no document for {message.type} (has: "
                                 f"{', '.join(sorted(self.mapping.documents))}); add one or "
                                 "route only those types here", where=self.mapping.source)
        body = self.mapper.write(message.type, canonical_view(message))
        path = str(document.extra.get("path") or "")
        return path, json.dumps(body, ensure_ascii=False).encode()
