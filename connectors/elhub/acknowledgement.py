"""Acknowledgement documents: the datahub's 39 (accepted) / 41 (rejected, with reasons).

An acknowledgement names the document it answers (``OriginalBusinessDocumentReference``, our
header id, which is the canonical message id) and, for a rejected metering-value series,
the payload (``OriginalPayloadReference``). It maps to ``meteringpoint.acknowledged``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lxml import etree

from connectors.elhub import emif
from hub.toolkit import InvalidMessage, RemoteFault, TargetRejected
from hub.toolkit import get_field as get
from hub.toolkit import put_field as put
from schemas.envelope import Envelope
from schemas.message_types import MessageType
from schemas.payloads import parse_payload

KIND = "Acknowledgement"
SOURCE = "elhub"
ACCEPTED, REJECTED = "39", "41"


@dataclass(frozen=True)
class Ack:
    """What an Acknowledgement says, as plain values."""

    document_id: str
    created: str
    status: str
    original_id: str
    original_payload_id: str | None = None
    reasons: tuple[str, ...] = ()
    process: str | None = None
    role: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rejected(self) -> bool:
        return self.status == REJECTED

    def reason_texts(self) -> list[dict[str, str]]:
        texts = emif.document(KIND).extra.get("reasons", {})
        return [{"code": c, **({"text": texts[c]} if c in texts else {})} for c in self.reasons]

    def rejection(self, where: str) -> TargetRejected:
        """The permanent error a status-41 acknowledgement means, reasons kept."""
        reasons = self.reason_texts()
        text = "; ".join(f"{r['code']} {r.get('text', '')}".strip() for r in reasons)
        remote = RemoteFault(kind="elhub-ack", status=self.status,
                             message=text or "rejected without reason",
                             details={"reasons": [r["code"] for r in reasons],
                                      "original_document": self.original_id,
                                      "original_payload": self.original_payload_id,
                                      "acknowledgement": self.document_id})
        return TargetRejected(f"the datahub rejected the document (status 41: {text})",
                              where=where, remote=remote)


def build(status: str, original_id: str, *, sender: str, recipient: str, created: datetime,
          document_id: str, reasons: tuple[str, ...] = (), original_payload_id: str | None = None,
          process: str | None = None, role: str | None = None,
          document_type: str | None = None) -> etree._Element:
    """A validated Acknowledgement document."""
    agency = emif.document(KIND).extra["reason_agency"]
    data: dict[str, Any] = {
        "header": {"id": document_id, "created": emif.timestamp(created), "sender": sender,
                   "juridical_sender": sender, "recipient": recipient,
                   "document_type": document_type},
        "context": {"process": process, "role": role},
        "payload": {"status": status, "original_message_id": original_id,
                    "original_payload_id": original_payload_id,
                    "reasons": [{"code": c, "agency": agency["EH" if c.startswith("EH")
                                                             else "E"]} for c in reasons]}}
    for name, value in emif.document(KIND).extra.get("defaults", {}).items():
        if get(data, name) is None:
            put(data, name, value)
    root = emif.mapper().write_document(KIND, data)
    emif.validate(root, where="Acknowledgement")
    return root


def read(root: etree._Element) -> Ack:
    """An Acknowledgement document (validated) as an :class:`Ack`."""
    emif.validate(root, where="Acknowledgement")
    data = emif.mapper().read_document(KIND, root)
    header, context, payload = data["header"], data.get("context", {}), data["payload"]
    return Ack(document_id=header["id"], created=header["created"], status=payload["status"],
               original_id=payload["original_message_id"],
               original_payload_id=payload.get("original_payload_id"),
               reasons=tuple(r["code"] for r in payload.get("reasons", [])),
               process=context.get("process"), role=context.get("role"))


def to_document(message: Envelope, *, sender: str, recipient: str) -> etree._Element:
    """meteringpoint.acknowledged -> Acknowledgement (as the grid owner would send one)."""
    payload: dict[str, Any] = parse_payload(message).model_dump(mode="json", exclude_none=True)
    return build(payload["status"], emif.document_id(payload["original_message_id"]),
                 sender=sender, recipient=recipient, created=message.occurred_at,
                 document_id=emif.document_id(message.message_id),
                 reasons=tuple(r["code"] for r in payload.get("reasons", [])))


def to_envelope(ack: Ack, *, case_id: str | None = None, gsrn: str | None = None,
                original_message_id: str | None = None) -> Envelope:
    """meteringpoint.acknowledged for ``ack``; the case and GSRN come from what we sent."""
    payload: dict[str, Any] = {"status": ack.status,
                               "original_message_id": original_message_id or ack.original_id,
                               "reasons": ack.reason_texts()}
    if gsrn:
        payload["gsrn"] = gsrn
    try:
        message = Envelope(message_id=ack.document_id, case_id=case_id or ack.original_id,
                           type=MessageType.METERINGPOINT_ACKNOWLEDGED, source=SOURCE,
                           occurred_at=emif.parse_timestamp(ack.created,
                                                             where="Acknowledgement/Header"),
                           payload=payload)
    except ValueError as exc:
        raise InvalidMessage(f"header is invalid: {exc}", where="Acknowledgement/Header") \
            from None
    parsed = parse_payload(message)
    return message.model_copy(update={"payload": parsed.model_dump(mode="json",
                                                                    exclude_none=True)})
