"""The hub's store: idempotency, outbox, case projection, trace, dead letters, the retry
schedule, delivery record and aggregator state, on SQLAlchemy Core (SQLite or PostgreSQL)."""

from hub.store.cases import CaseRow
from hub.store.deadletters import DeadLetterGroup, DeadLetterRow, fingerprint
from hub.store.outbox import OutboxRow
from hub.store.scheduled import ScheduledRow
from hub.store.store import Store
from hub.store.trace import TraceRow
from hub.store.tx import Tx

__all__ = [
    "CaseRow",
    "DeadLetterGroup",
    "DeadLetterRow",
    "OutboxRow",
    "ScheduledRow",
    "Store",
    "TraceRow",
    "Tx",
    "fingerprint",
]
