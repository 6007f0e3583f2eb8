"""The intake's store side on each database: kept once, dead letters once, states settled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hub.errors import InvalidMessage
from hub.intake import WIRE, Intake, Received
from hub.store import Store
from hub.store import inbound as kept_rows
from tests.factories import envelope, swedish_case


def test_a_batch_kept_twice_is_kept_once_and_settles(store: Store) -> None:
    intake = Intake(store, "elhub")
    good = Received(b"<A>1</A>", "A", "id-1", (envelope("case.submitted", swedish_case(1)),))
    bad = Received(b"<B/>", "B", None, error=InvalidMessage("no mapping for B", where="B"))
    first = intake.keep("poll-1", [good, bad, good])
    again = intake.keep("poll-1", [good, bad])  # handed out again before the publish
    assert [r.key for r in first.to_publish] == [good.key]
    assert [r.key for r in again.to_publish] == [good.key] and again.already == 1
    (dl,) = store.dead_letters(connector="elhub")
    assert [dl_id for _, dl_id in first.dead_letters] == [dl.id] and again.dead_letters == []
    assert dl.body == b"<B/>" and dl.headers[WIRE] == "elhub" and dl.where == "B"
    assert [u.batch for u in intake.unsettled()] == ["poll-1"]
    intake.published(again.to_publish)
    assert intake.unsettled() == []
    assert intake.keep("poll-1", [good, bad]).already == 2
    with store.transaction() as tx:
        kept = kept_rows.documents(tx.conn, "elhub")
    assert [(k["root"], k["state"]) for k in kept] == [("A", "published"),
                                                       ("B", "dead-lettered")]


def test_retention_drops_published_documents_only(store: Store) -> None:
    intake = Intake(store, "elhub")
    done = Received(b"<A>2</A>", "A", "id-2", (envelope("case.submitted", swedish_case(2)),))
    waiting = Received(b"<A>3</A>", "A", "id-3", (envelope("case.submitted", swedish_case(3)),))
    bad = Received(b"<C/>", "C", None, error=InvalidMessage("no mapping for C", where="C"))
    kept = intake.keep("poll-2", [done, waiting, bad])
    intake.published(kept.to_publish[:1])
    assert store.purge_inbound(datetime.now(UTC) - timedelta(days=1)) == 0  # too young
    assert store.purge_inbound(datetime.now(UTC) + timedelta(seconds=1)) == 1
    with store.transaction() as tx:
        left = kept_rows.documents(tx.conn, "elhub")
    assert [(k["document_id"], k["state"]) for k in left] == [("id-3", "received"),
                                                              (None, "dead-lettered")]
