import threading
from datetime import timedelta

from tests.hub.store.builders import AT, scheduled_row, workorder

T = [workorder(seed) for seed in range(6)]


def test_due_returns_rows_whose_time_has_come_by_time_then_insertion(store):
    rows = [
        scheduled_row(T[0], due_at=AT + timedelta(seconds=30)),
        scheduled_row(T[1], due_at=AT),
        scheduled_row(T[2], due_at=AT),
        scheduled_row(T[3], due_at=AT + timedelta(hours=1)),  # not yet
        scheduled_row(T[4], due_at=None),  # held
    ]
    with store.transaction() as tx:
        tx.schedule(rows)
    with store.transaction() as tx:
        due = tx.due(AT + timedelta(minutes=1), 10)
        assert [r.message_id for r in tx.due(AT + timedelta(minutes=1), 2)] == [
            T[1].message_id, T[2].message_id]
    assert [r.message_id for r in due] == [T[1].message_id, T[2].message_id, T[0].message_id]
    assert due[0].id == due[0].seq and due[0].seq < due[1].seq
    first = due[2]
    assert (first.body, first.headers, first.attempt, first.route, first.last_error) == (
        rows[0].body, rows[0].headers, 1, "workorders", rows[0].last_error)
    assert first.due_at == rows[0].due_at and first.due_at.utcoffset() == timedelta(0)
    assert store.scheduled_count() == 5


def test_holds_keep_per_case_order_until_release(store):
    case = T[0]
    same_case = [workorder(0, step=i) for i in (1, 2)]
    with store.transaction() as tx:
        assert not tx.is_held("metering", case.case_id)
        tx.schedule([scheduled_row(case, due_at=AT + timedelta(seconds=10))])
        tx.schedule([scheduled_row(m, due_at=None, attempt=0) for m in same_case])
    with store.transaction() as tx:
        assert tx.is_held("metering", case.case_id)
        assert not tx.is_held("kis", case.case_id)
        assert not tx.is_held("metering", T[1].case_id)
        head = tx.head_of("metering", case.case_id)
        assert head.message_id == case.message_id
        # the head is still pending: nothing may overtake it
        assert tx.release_next("metering", case.case_id, AT) is None
        tx.delete_scheduled([head.id])
        released = tx.release_next("metering", case.case_id, AT + timedelta(seconds=20))
        assert released.message_id == same_case[0].message_id
        assert released.due_at == AT + timedelta(seconds=20)
        # the released one is now the pending head; the next stays held
        assert tx.release_next("metering", case.case_id, AT) is None
        assert [r.message_id for r in tx.due(AT + timedelta(minutes=1), 10)] == [
            same_case[0].message_id]
        tx.delete_scheduled([released.id])
        last = tx.release_next("metering", case.case_id, AT)
        assert last.message_id == same_case[1].message_id
        tx.delete_scheduled([last.id])
        assert tx.release_next("metering", case.case_id, AT) is None
        assert not tx.is_held("metering", case.case_id)
        assert tx.head_of("metering", case.case_id) is None


def test_reschedule_moves_the_row_and_records_the_attempt(store):
    with store.transaction() as tx:
        tx.schedule([scheduled_row(T[0], due_at=AT)])
    with store.transaction() as tx:
        [row] = tx.due(AT, 10)
        tx.reschedule(row.id, AT + timedelta(minutes=5), attempt=2,
                      last_error="TargetServerError: HTTP 503")
    with store.transaction() as tx:
        assert tx.due(AT + timedelta(minutes=4), 10) == []
        [moved] = tx.due(AT + timedelta(minutes=5), 10)
        tx.reschedule(moved.id, AT + timedelta(minutes=6))  # a lease: attempt data untouched
        [leased] = tx.due(AT + timedelta(minutes=6), 10)
    assert (moved.id, moved.attempt, moved.last_error) == (row.id, 2, "TargetServerError: HTTP 503")
    assert moved.first_failure_at == row.first_failure_at
    assert (leased.attempt, leased.last_error) == (2, "TargetServerError: HTTP 503")


def test_seq_keeps_growing_after_deletes(store):
    with store.transaction() as tx:
        tx.schedule([scheduled_row(T[0]), scheduled_row(T[1])])
        rows = tx.due(AT, 10)
        tx.delete_scheduled([r.id for r in rows])
    with store.transaction() as tx:
        tx.schedule([scheduled_row(T[2])])
        [new] = tx.due(AT, 10)
    # ids travel in message headers: a deleted row's id must never name a new row
    assert new.seq > max(r.seq for r in rows)
    assert store.scheduled_count() == 1


def test_concurrent_dispatchers_never_take_the_same_row(store):
    with store.transaction() as tx:
        tx.schedule([scheduled_row(m) for m in T])
    taken: dict[str, list[int]] = {}
    first_has_rows = threading.Event()
    errors: list[BaseException] = []

    def dispatch(name: str, wait: threading.Event | None) -> None:
        try:
            if wait is not None:
                assert wait.wait(10), "first dispatcher never took its rows"
            with store.transaction() as tx:
                rows = tx.due(AT, 3)
                taken[name] = [r.id for r in rows]
                if wait is None:
                    first_has_rows.set()
                    threading.Event().wait(0.3)  # hold the rows while the other one asks
                for r in rows:  # the lease, as the scheduler does it
                    tx.reschedule(r.id, AT + timedelta(minutes=5))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=dispatch, args=("a", None)),
               threading.Thread(target=dispatch, args=("b", first_has_rows))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert not any(t.is_alive() for t in threads) and errors == []
    assert len(taken["a"]) == len(taken["b"]) == 3
    assert set(taken["a"]).isdisjoint(taken["b"])
