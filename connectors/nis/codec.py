"""Canonical messages <-> NIS documents, per message type.

    griddata.requested      <-> GridDataRequest
    griddata.answered       <-> GridDataResponse (payload: schemas.case.GridData)
    installation.registered <-> InstallationRegistration
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from connectors.nis.wire import NisWire
from hub.toolkit import InvalidMessage
from schemas.envelope import Envelope, derived_message_id
from schemas.message_types import MessageType
from schemas.payloads import parse_payload

M = MessageType
SOURCE = "nis"
KIND_OF_TYPE = {M.GRID_DATA_REQUESTED: "GridDataRequest",
                M.GRID_DATA_ANSWERED: "GridDataResponse",
                M.INSTALLATION_REGISTERED: "InstallationRegistration"}
TYPE_OF_KIND = {kind: type_ for type_, kind in KIND_OF_TYPE.items()}
_CARRIES_MESSAGE_ID = ("GridDataRequest", "InstallationRegistration")


def kind_for(message: Envelope) -> str:
    try:
        return KIND_OF_TYPE[MessageType(message.type)]
    except (ValueError, KeyError):
        raise InvalidMessage(f"nis has no document for {message.type!r} (it takes: "
                             f"{', '.join(sorted(KIND_OF_TYPE))})", where="type") from None


def to_wire(message: Envelope, wire: NisWire) -> bytes:
    """The NIS document for ``message``, validated against the contract."""
    kind = kind_for(message)
    data: dict[str, Any] = {"case_ref": message.case_id, **checked(message).payload}
    if kind in _CARRIES_MESSAGE_ID:
        data["message_id"] = message.message_id
    return wire.write(kind, data)


def to_canonical(document: bytes, wire: NisWire) -> list[Envelope]:
    """The canonical message a NIS document carries; InvalidMessage if it carries none."""
    kind, data = wire.read(None, document, where="nis document")
    if kind not in TYPE_OF_KIND:
        raise InvalidMessage(f"a {kind} carries no canonical message (readable: "
                             f"{', '.join(sorted(TYPE_OF_KIND))})", where=kind)
    case_ref = data.pop("case_ref")
    message_id = data.pop("message_id", None) or derived_message_id(
        SOURCE, kind, hashlib.sha256(document).hexdigest())
    try:
        envelope = Envelope(message_id=message_id, case_id=case_ref, type=TYPE_OF_KIND[kind],
                            source=SOURCE, occurred_at=datetime.now(UTC), payload=data)
    except ValueError as exc:
        raise InvalidMessage(f"cannot build a {TYPE_OF_KIND[kind]} envelope: {exc}",
                             where=kind) from None
    return [checked(envelope)]


def answer_from_wire(request: Envelope, document: bytes, wire: NisWire, *,
                     where: str) -> Envelope:
    """The griddata.answered reply to ``request`` from the NIS's GridDataResponse."""
    _, data = wire.read("GridDataResponse", document, where=where)
    case_ref = data.pop("case_ref")
    if case_ref != request.case_id:
        raise InvalidMessage(f"NIS answered for case {case_ref!r}, asked for "
                             f"{request.case_id!r}", where=f"{where} GridDataResponse/CaseRef")
    return checked(request.derive(M.GRID_DATA_ANSWERED, SOURCE, data))


def checked(message: Envelope) -> Envelope:
    """``message`` with its payload validated against its model and normalised."""
    model = parse_payload(message)
    return message.model_copy(update={"payload": model.model_dump(mode="json")})
