from datetime import UTC, datetime, timedelta

from hub.ops.audit import entries
from hub.ops.db import reading
from hub.ops.pause import pause, pauses, resume
from hub.store import ScheduledRow

T = datetime(2024, 3, 14, 2, 15, tzinfo=UTC)


def _row(case_id, n, due=None, destination="kis"):
    return ScheduledRow(destination=destination, case_id=case_id, message_id=f"{case_id}-m{n}",
                        route="to-kis", body=b"{}", due_at=due)


def test_pause_is_persistent_and_a_second_pause_keeps_the_first(store):
    first, created = pause(store, "kis", actor="maria@ops1", reason="KIS upgrade", at=T)
    again, created_again = pause(store, "kis", actor="erik@ops2", reason="still down",
                                 at=T + timedelta(minutes=5))
    assert created and not created_again
    assert again == first and again.paused_by == "maria@ops1" and again.paused_at == T
    with store.transaction() as tx:
        assert tx.is_paused("kis") and not tx.is_paused("nis")
    with reading(store) as conn:
        assert list(pauses(conn)) == ["kis"]
        assert [e.action for e in entries(conn, subject="connector kis")] == ["pause"]


def test_resume_releases_the_first_held_message_of_each_case_oldest_case_first(store):
    pause(store, "kis", actor="maria@ops1", reason="KIS upgrade", at=T)
    with store.transaction() as tx:
        tx.schedule([_row("SE-1002", 1), _row("SE-1001", 1), _row("SE-1002", 2),
                     _row("SE-1001", 2), _row("SE-1003", 1, destination="nis")])
    done = resume(store, "kis", actor="maria@ops1", reason="KIS back", at=T + timedelta(hours=1))
    assert done.was_paused and done.released == 2
    with store.transaction() as tx:
        due = tx.due(T + timedelta(hours=2), 10)
        assert not tx.is_paused("kis")
    # One per case, in the order the cases started waiting; second messages stay behind.
    assert [r.message_id for r in due] == ["SE-1002-m1", "SE-1001-m1"]
    with reading(store) as conn:
        [resumed, _] = entries(conn, subject="connector kis")
    assert resumed.action == "resume" and resumed.detail["released_cases"] == 2


def test_resume_leaves_a_case_alone_whose_head_is_a_pending_retry(store):
    retry_at = T + timedelta(minutes=3)
    with store.transaction() as tx:
        tx.schedule([_row("SE-1001", 1, due=retry_at), _row("SE-1001", 2)])
    done = resume(store, "kis", actor="maria@ops1", reason="just in case", at=T)
    assert not done.was_paused and done.released == 0
    with store.transaction() as tx:
        [due] = tx.due(T + timedelta(hours=1), 10)
    assert due.message_id == "SE-1001-m1"  # the held second message still waits behind it
    with reading(store) as conn:
        assert entries(conn) == []  # nothing happened, nothing audited
