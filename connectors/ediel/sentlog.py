"""What we sent, so an acknowledgement finds its message and case, and a missing one is seen.

Ediel answers arrive later and by another channel: a CONTRL names our interchange reference,
an APERAK our document id. Each sent interchange waits for both (CONTRL only when the partner
sends one: a positive APERAK implies the syntax was read). Past the deadline (30 minutes,
handbook 10.3) without an APERAK it is reported once as ``market.acknowledged`` with status
``missing``. Kept in the connector's state file (state.py), so an answer that arrives after a
restart still finds what it answers; rows older than ``KEEP`` are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from connectors.ediel import documents
from connectors.ediel.acks import Ack
from connectors.ediel.state import EdielState
from schemas.envelope import Envelope
from schemas.message_types import MessageType as M

KEEP = timedelta(days=90)  # a partner's answer after three months is not awaited any more


@dataclass
class Sent:
    message_id: str
    case_id: str
    reference: str
    document_id: str
    sent_at: datetime


class SentLog:
    def __init__(self, deadline: timedelta, state: EdielState | None = None) -> None:
        self.deadline = deadline
        self.state = state or EdielState(None)

    def remember(self, sent: Sent) -> None:
        with self.state.tx() as db:
            db.execute("INSERT OR REPLACE INTO sent (reference, document_id, message_id, "
                       "case_id, sent_at) VALUES (?, ?, ?, ?, ?)",
                       (sent.reference, sent.document_id, sent.message_id, sent.case_id,
                        sent.sent_at.timestamp()))
            db.execute("DELETE FROM sent WHERE sent_at < ?",
                       ((sent.sent_at - KEEP).timestamp(),))

    def forget(self, reference: str) -> None:
        with self.state.tx() as db:
            db.execute("DELETE FROM sent WHERE reference = ?", (reference,))

    def acknowledged(self, ack: Ack, now: datetime) -> Envelope | None:
        """``market.acknowledged`` for ``ack`` in the case of what it answers; None if we
        do not know what it answers."""
        column, key = ("reference", ack.interchange_reference) if ack.kind == "contrl" \
            else ("document_id", ack.document_id)
        with self.state.tx() as db:
            row = db.execute(f"SELECT message_id, case_id, reference, document_id FROM sent "
                             f"WHERE {column} = ?", (key,)).fetchone()
            if row is None:
                return None
            answered = "contrl" if ack.kind == "contrl" else "aperak"
            db.execute(f"UPDATE sent SET {answered} = 1 WHERE reference = ?", (row[2],))
        sent = Sent(row[0], row[1], row[2], row[3], now)
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
        with self.state.tx() as db:
            rows = db.execute("SELECT message_id, case_id, reference, document_id, sent_at "
                              "FROM sent WHERE aperak = 0 AND overdue_reported = 0 AND "
                              "sent_at <= ?", ((now - self.deadline).timestamp(),)).fetchall()
            db.executemany("UPDATE sent SET overdue_reported = 1 WHERE reference = ?",
                           [(row[2],) for row in rows])
        found = []
        for message_id, case_id, reference, document_id, sent_at in rows:
            due = datetime.fromtimestamp(sent_at, UTC) + self.deadline
            found.append(Envelope(
                message_id=documents.derived_id(message_id, "missing"),
                case_id=case_id, causation_id=message_id,
                type=M.MARKET_ACKNOWLEDGED, source=documents.SOURCE, occurred_at=now,
                payload={"kind": "none", "status": "missing",
                         "original_message_id": message_id,
                         "interchange_reference": reference, "document_id": document_id,
                         "deadline": due.isoformat()}))
        return found

    def reopen(self, reports: list[Envelope]) -> None:
        """``reports`` did not reach the hub: report them again next time."""
        with self.state.tx() as db:
            db.executemany("UPDATE sent SET overdue_reported = 0 WHERE reference = ?",
                           [(r.payload["interchange_reference"],) for r in reports])
