"""Canonical messages <-> Ediel interchanges: which message kind, which addressing, which ids.

Out: ``meteringvalues.collected`` and ``meteringvalues.monthly`` -> UTILTS E66 (T or S),
``supply.start.confirmed`` -> PRODAT Z04, ``supply.end.confirmed`` -> PRODAT Z05; one
interchange per message (one recipient, one period). Interchange reference and document id
are derived from the message id, so a redelivered message is the same interchange again.
In: PRODAT Z03/Z08 (and Z04/Z05, UTILTS E66 for translation) -> canonical messages with ids
derived from the sender, the interchange reference and the object, so reading a file twice
publishes nothing new.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from connectors.ediel import codes, normaltime, prodat, syntax, utilts
from connectors.ediel.syntax import Interchange, Message, Party
from hub.toolkit import InvalidMessage
from schemas.envelope import Envelope
from schemas.message_types import MessageType as M
from schemas.payloads import (
    MeteringValuesCollected,
    MonthlyReadings,
    SupplyConfirmed,
    parse_payload,
)

SOURCE = "ediel"
OUTBOUND = frozenset({M.METERINGVALUES_COLLECTED, M.METERINGVALUES_MONTHLY,
                      M.SUPPLY_START_CONFIRMED, M.SUPPLY_END_CONFIRMED})
_IN_NS = uuid.UUID("0b6f6f9e-5d43-4a4e-9c38-3f0e2ad0e7b1")


@dataclass(frozen=True)
class Addressing:
    """Who sends and who receives: our Ediel-id and grid area, the recipient and its role."""

    grid_owner: str
    grid_area: str
    recipient: str
    role: str = "DDQ"


def reference_of(message_id: str) -> str:
    """The interchange reference (at most 14 characters) for a canonical message."""
    return uuid.UUID(message_id).hex[:14].upper() if _is_uuid(message_id) \
        else uuid.uuid5(_IN_NS, message_id).hex[:14].upper()


def document_id_of(message_id: str) -> str:
    """The BGM document id (at most 35 characters) for a canonical message."""
    return f"GH{uuid.uuid5(_IN_NS, message_id).hex.upper()}"


def derived_id(*parts: str) -> str:
    """A stable message id for what the connector makes of ``parts``."""
    return str(uuid.uuid5(_IN_NS, "/".join(parts)))


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def recipient_of(message: Envelope) -> str | None:
    """The Ediel-id the payload names as recipient, if it names one."""
    value = message.payload.get("supplier")
    return str(value) if value else None


def to_interchange(message: Envelope, to: Addressing, now: datetime,
                   point_type: str = "consumption") -> Interchange:
    """The interchange that carries ``message``; InvalidMessage for a type not sent.
    ``point_type`` is the metering point's (values of a production point say E18)."""
    model = parse_payload(message)
    doc_id = document_id_of(message.message_id)
    common: dict[str, Any] = {"sender": to.grid_owner, "recipient": to.recipient,
                              "role": to.role, "grid_area": to.grid_area, "created": now}
    if isinstance(model, MeteringValuesCollected):
        body = utilts.series(model, doc_id, point_type=point_type, **common)
        kind = "utilts_series"
    elif isinstance(model, MonthlyReadings):
        body = utilts.monthly(model, doc_id, point_type=point_type, **common)
        kind = "utilts_monthly"
    elif isinstance(model, SupplyConfirmed):
        document = codes.get("prodat", "confirm_start" if message.type ==
                             M.SUPPLY_START_CONFIRMED else "confirm_end")
        if model.metering_point_type is None:  # what the connector knows of the point
            model = model.model_copy(update={"metering_point_type": point_type})
        body = prodat.confirmation(model, doc_id, document=document, sender=to.grid_owner,
                                   created=now)
        kind = "prodat"
    else:
        raise InvalidMessage(f"ediel sends {', '.join(sorted(OUTBOUND))}, not {message.type}",
                             where="type")
    family = "PRODAT" if kind == "prodat" else "UTILTS"
    identifier = [family, *codes.get("versions", family), codes.get("association", family)]
    qualifier = str(codes.get("envelope", "party_qualifier"))
    return Interchange(
        sender=Party(to.grid_owner, qualifier), recipient=Party(to.recipient, qualifier),
        reference=reference_of(message.message_id), prepared=normaltime.wall_clock(now),
        application_reference=str(codes.get("application_reference", kind)).format(
            role=to.role),
        ack_requested=True, messages=[Message("1", identifier, body)])



# ---------------------------------------------------------------- reading


def business_messages(interchange: Interchange) -> list[tuple[Message, list[Envelope]]]:
    """Each PRODAT/UTILTS message of ``interchange`` with its canonical messages."""
    found: list[tuple[Message, list[Envelope]]] = []
    for message in interchange.messages:
        if message.type == prodat.TYPE:
            items = prodat.read(message)
        elif message.type == utilts.TYPE:
            items = [utilts.read(message, interchange.decimal)]
        else:
            continue
        found.append((message, [_envelope(interchange, message, i, type_, payload)
                                for i, (type_, payload) in enumerate(items, start=1)]))
    return found


def _envelope(interchange: Interchange, message: Message, index: int, type_: str,
              payload: dict[str, Any]) -> Envelope:
    key = "/".join((interchange.sender.id, interchange.reference, message.reference,
                    str(index)))
    case_id = str(payload.get("case_reference") or
                  f"ediel-{syntax.component(message.first('BGM'), 1)}")[:64]
    envelope = Envelope(message_id=str(uuid.uuid5(_IN_NS, key)), case_id=case_id, type=type_,
                        source=SOURCE, payload=payload)
    parsed = parse_payload(envelope)  # InvalidMessage naming the field
    return envelope.model_copy(update={"payload": parsed.model_dump(mode="json",
                                                                     exclude_none=True)})


def to_canonical(raw: bytes) -> list[Envelope]:
    """Every business message of an interchange as canonical messages (no acknowledgements)."""
    interchange = syntax.read(raw)
    found = [e for _, envelopes in business_messages(interchange) for e in envelopes]
    if not found:
        kinds = ", ".join(sorted({m.type for m in interchange.messages})) or "none"
        raise InvalidMessage(f"the interchange carries no PRODAT or UTILTS (it has {kinds})",
                             where="UNH S009")
    return found
