"""Keeping pulled documents whole before the sender is told they arrived.

The seam for connectors that pull from a sender who forgets what it handed out once it is
acknowledged (a datahub's poll result). The connector translates each document (no I/O)
into a :class:`Received` and then, before it acknowledges:

1. ``intake.keep(batch, received)``: one store transaction keeps every document not kept
   before, whole (raw bytes, root element, document id, batch id, position), and turns each
   one that could not be translated into a dead letter carrying the raw document, its root,
   the reason and the batch id. It returns the documents whose messages are still to be
   published: the new ones, and ones kept before whose publish was never confirmed.
2. publish those messages (returns once the broker confirmed), then ``intake.published``.
3. acknowledge the batch to the sender.

A crash anywhere leaves the documents kept; the sender hands the batch out again and
:meth:`Intake.keep` recognises every document by its digest, so nothing is kept,
dead-lettered or published twice (message ids are derived from document ids, and the hub's
idempotency drops a message confirmed just before a crash). Documents kept but never
published (a crash between 1 and 2 and a sender that does not hand them out again) come
back from :meth:`Intake.unsettled`. ``gridhub dlq replay`` translates a dead letter marked
with :data:`WIRE` again with the connector plugin's ``to_canonical`` (after a mapping fix).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable

from hub.errors import GridhubError
from hub.store import DeadLetterRow, Store, fingerprint
from hub.store import inbound as rows
from hub.store.inbound import DocumentState
from schemas.envelope import Envelope

# Dead-letter header: the body is a wire document of this connector plugin; a replay
# translates it again instead of re-sending a canonical message.
WIRE = "x-gridhub-wire"
BATCH, ROOT, DOCUMENT_ID = "batch", "root", "document_id"


@dataclass(frozen=True)
class Received:
    """One pulled document and what translating it gave: messages, or the error."""

    body: bytes = field(repr=False)  # personal data: kept out of logs
    root: str
    document_id: str | None = None
    messages: tuple[Envelope, ...] = ()
    error: BaseException | None = None

    @property
    def key(self) -> str:
        """The document's identity across deliveries: what it is, not where it was found."""
        return "sha256:" + hashlib.sha256(self.body).hexdigest()


@dataclass(frozen=True)
class Unsettled:
    """A document kept before but never published nor dead-lettered."""

    batch: str
    body: bytes = field(repr=False)


@dataclass(frozen=True)
class Kept:
    """What :meth:`Intake.keep` did: documents to publish, and the dead letters it made."""

    to_publish: list[Received]
    dead_letters: list[tuple[Received, int]]
    already: int  # documents of the batch settled before (a batch handed out again)


class Intake:
    """The store-backed intake of one connector (``plugin``: its entry point name)."""

    def __init__(self, store: Store, connector: str, plugin: str | None = None) -> None:
        self.store = store
        self.connector = connector
        self.plugin = plugin or connector

    def keep(self, batch: str, received: Sequence[Received]) -> Kept:
        """Keep ``received`` (one batch, in the sender's order) in one transaction."""
        now = datetime.now(UTC)
        first: dict[str, Received] = {}
        for r in received:  # a document twice in one batch is one document
            first.setdefault(r.key, r)
        unique = list(first.values())
        with self.store.transaction() as tx:
            known = rows.states(tx.conn, self.connector, [r.key for r in unique])
            rows.insert(tx.conn, [self._row(batch, position, r, now)
                                  for position, r in enumerate(unique) if r.key not in known])
            open_ = [r for r in unique if known.get(r.key, DocumentState.RECEIVED)
                     == DocumentState.RECEIVED]
            failed = [r for r in open_ if r.error is not None]
            ids = tx.add_dead_letters([self._dead_letter(batch, r, now) for r in failed])
            for r, dl_id in zip(failed, ids, strict=True):
                rows.settle(tx.conn, self.connector, [r.key], DocumentState.DEAD_LETTERED, now,
                            dead_letter_id=dl_id)
        return Kept([r for r in open_ if r.error is None], list(zip(failed, ids, strict=True)),
                    len(unique) - len(open_))

    def published(self, received: Sequence[Received]) -> None:
        """The broker confirmed the messages of ``received``."""
        if not received:
            return
        with self.store.transaction() as tx:
            rows.settle(tx.conn, self.connector, [r.key for r in received],
                        DocumentState.PUBLISHED, datetime.now(UTC))

    def unsettled(self, limit: int = 1000) -> list[Unsettled]:
        with self.store.transaction() as tx:
            return [Unsettled(r["batch"], r["body"])
                    for r in rows.unsettled(tx.conn, self.connector, limit)]

    def _row(self, batch: str, position: int, r: Received, now: datetime) -> dict[str, object]:
        return {"connector": self.connector, "key": r.key, "batch": batch,
                "position": position, "document_id": r.document_id, "root": r.root,
                "body": r.body, "state": DocumentState.RECEIVED.value, "received_at": now}

    def _dead_letter(self, batch: str, r: Received, now: datetime) -> DeadLetterRow:
        exc = r.error
        assert exc is not None  # only failed documents get here
        where = exc.where if isinstance(exc, GridhubError) else None
        text = exc.message if isinstance(exc, GridhubError) else f"{type(exc).__name__}: {exc}"
        keys = {"batch": [batch]} | ({"document": [r.document_id]} if r.document_id else {})
        return DeadLetterRow(
            message_id=None, case_id=None, message_type=None, route=None,
            connector=self.connector, body=r.body,
            headers={WIRE: self.plugin, BATCH: batch, ROOT: r.root,
                     DOCUMENT_ID: r.document_id},
            attempts=1, first_failure_at=now, last_failure_at=now,
            exception_type=type(exc).__name__, exception_message=text[:4000],
            where=where or r.root,
            fingerprint=fingerprint(type(exc).__name__, where, self.connector, r.root),
            keys=keys)


@runtime_checkable
class KeepsDocuments(Protocol):
    """An inbound (``hub.connector.Inbound``) that can also keep pulled documents."""

    def intake(self, connector: str, plugin: str | None = None) -> Intake: ...
