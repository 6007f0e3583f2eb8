"""meteringpoint.updated <-> RequestUpdateMasterDataMeteringPoint (BRS-NO-121/122/302/212).

The mapping says where each field goes; the per-event rules in ``mapping.yaml`` say what each
process requires, forbids and fills in. A message that breaks a rule never leaves: it is an
InvalidMessage naming the field and the process.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from connectors.elhub import emif
from hub.toolkit import InvalidMessage
from hub.toolkit import get_field as get
from hub.toolkit import put_field as put
from schemas.envelope import Envelope
from schemas.message_types import MessageType
from schemas.payloads import MeteringPointUpdated, parse_payload

KIND = "MasterData"
SOURCE = "elhub"
_CANONICAL = set(MeteringPointUpdated.model_fields)


def to_document(message: Envelope, *, sender: str, recipient: str,
                positive_ack: bool = True) -> etree._Element:
    """The validated RequestUpdateMasterDataMeteringPoint for one canonical message."""
    payload: dict[str, Any] = parse_payload(message).model_dump(mode="json", exclude_none=True)
    payload["effective_at"] = emif.timestamp(
        MeteringPointUpdated.model_validate(payload).effective_at)
    payload.setdefault("grid_owner_gln", sender)
    data: dict[str, Any] = {"payload": payload, "header": {
        "id": emif.document_id(message.message_id),
        "created": emif.timestamp(message.occurred_at),
        "positive_ack": True if positive_ack else None,
        "sender": sender, "recipient": recipient}}
    _apply_event_rules(data, payload["event"])
    root = emif.mapper().write_document(KIND, data)
    emif.validate(root, where=f"{message.type} -> RequestUpdateMasterDataMeteringPoint")
    return root


def _apply_event_rules(data: dict[str, Any], event: str) -> None:
    rules = emif.document(KIND).extra["events"][event]
    process = _process_of(event)
    for name in rules.get("require", []):
        if get(data, name) in (None, "", {}):
            raise InvalidMessage(f"is required for {event} ({process})", where=name)
    for name in rules.get("omit", []):
        parent, _, leaf = name.rpartition(".")
        node = get(data, parent) if parent else data
        if isinstance(node, dict):
            node.pop(leaf, None)
    for name, value in rules.get("defaults", {}).items():
        if get(data, name) is None:
            put(data, name, value)


def _process_of(event: str) -> str:
    codes = emif.field(KIND, "payload.event").code or {}
    return {v: k for k, v in codes.items()}.get(event, event)


def from_document(root: etree._Element) -> list[Envelope]:
    """A RequestUpdateMasterDataMeteringPoint -> meteringpoint.updated (one per payload)."""
    emif.validate(root, where="RequestUpdateMasterDataMeteringPoint")
    payloads = root.findall(emif.tag("md", "PayloadMasterDataMPEvent"))
    if len(payloads) != 1:
        # More than one payload is allowed for BRS-NO-317 only (rule EH092), which gridhub
        # does not send; the mapping reads the first, so refuse rather than lose the rest.
        raise InvalidMessage(f"has {len(payloads)} payloads; master data carries exactly one",
                             where="RequestUpdateMasterDataMeteringPoint")
    data = emif.mapper().read_document(KIND, root)
    header = data["header"]
    payload = {k: v for k, v in data["payload"].items() if k in _CANONICAL}
    try:
        message = Envelope(message_id=header["id"], case_id=payload["gsrn"],
                           type=MessageType.METERINGPOINT_UPDATED, source=SOURCE,
                           occurred_at=header["created"], payload=payload)
    except ValueError as exc:
        raise InvalidMessage(f"header is invalid: {exc}",
                             where="RequestUpdateMasterDataMeteringPoint/Header") from None
    parsed = parse_payload(message)
    return [message.model_copy(update={"payload": parsed.model_dump(mode="json",
                                                                    exclude_none=True)})]
