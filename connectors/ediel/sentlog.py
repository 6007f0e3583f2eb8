"""What we sent, so an acknowledgement finds its message and case, and a missing one is seen.

Ediel answers arrive later and by another channel: a CONTRL names our interchange reference,
an APERAK our document id. Each sent interchange waits for both (CONTRL only when the partner
sends one: a positive APERAK implies the syntax was read). Past the deadline (30 minutes,
handbook 10.3) without an APERAK it is reported once as ``market.acknowledged`` with status
``missing``. Kept in memory (bounded): after a restart, acknowledgements of earlier sends are
logged as unmatched.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from connectors.ediel import documents
from connectors.ediel.acks import Ack
from schemas.envelope import Envelope
from schemas.message_types import MessageType as M

MAX_SENT = 100_000


@dataclass
class Sent:
    message_id: str
    case_id: str
    reference: str
    document_id: str
    sent_at: datetime
    answered: set[str] = field(default_factory=set)  # contrl, aperak
    overdue_reported: bool = False


class SentLog:
    def __init__(self, deadline: timedelta) -> None:
        self.deadline = deadline
        self._by_reference: OrderedDict[str, Sent] = OrderedDict()
        self._by_document: dict[str, Sent] = {}
        self._lock = threading.Lock()

    def remember(self, sent: Sent) -> None:
        with self._lock:
            self._by_reference[sent.reference] = sent
            self._by_document[sent.document_id] = sent
            while len(self._by_reference) > MAX_SENT:
                _, old = self._by_reference.popitem(last=False)
                self._by_document.pop(old.document_id, None)

    def acknowledged(self, ack: Ack, now: datetime) -> Envelope | None:
        """``market.acknowledged`` for ``ack`` in the case of what it answers; None if we
        do not know what it answers."""
        with self._lock:
            sent = self._by_reference.get(ack.interchange_reference) if ack.kind == "contrl" \
                else self._by_document.get(ack.document_id)
            if sent is None:
                return None
            sent.answered.add(ack.kind)
        payload = {"kind": ack.kind, "status": "accepted" if ack.accepted else "rejected",
                   "original_message_id": sent.message_id,
                   "interchange_reference": sent.reference, "document_id": sent.document_id,
                   "codes": list(ack.codes)}
        if ack.texts:
            payload["text"] = "; ".join(ack.texts)[:200]
        return Envelope(message_id=documents.derived_id(sent.message_id, ack.kind,
                                                        ",".join(ack.codes)),
                        case_id=sent.case_id, causation_id=sent.message_id,
                        type=M.MARKET_ACKNOWLEDGED, source=documents.SOURCE,
                        occurred_at=now, payload=payload)

    def overdue(self, now: datetime) -> list[Envelope]:
        """Reports for interchanges without an APERAK past the deadline (each once)."""
        found = []
        with self._lock:
            for sent in self._by_reference.values():
                due = sent.sent_at + self.deadline
                if "aperak" in sent.answered or sent.overdue_reported or due > now:
                    continue
                sent.overdue_reported = True
                found.append(Envelope(
                    message_id=documents.derived_id(sent.message_id, "missing"),
                    case_id=sent.case_id, causation_id=sent.message_id,
                    type=M.MARKET_ACKNOWLEDGED, source=documents.SOURCE, occurred_at=now,
                    payload={"kind": "none", "status": "missing",
                             "original_message_id": sent.message_id,
                             "interchange_reference": sent.reference,
                             "document_id": sent.document_id,
                             "deadline": due.isoformat()}))
        return found
