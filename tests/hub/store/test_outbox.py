from datetime import UTC, datetime, timedelta

from tests.hub.store.builders import outbox_row, workorder


def test_outputs_come_back_in_write_order_with_body_and_headers(store):
    first, second = workorder(1), workorder(2)
    rows_1 = [outbox_row(first, dest, i) for i, dest in enumerate(["metering", "kis", "hub"])]
    rows_2 = [outbox_row(second, "nis", 0)]
    with store.transaction() as tx:
        tx.add_outbox(rows_1[:2])
        tx.add_outbox(rows_2)
    with store.transaction() as tx:
        tx.add_outbox(rows_1[2:])

    with store.transaction() as tx:
        got = tx.outbox_for([first.message_id])
        both = tx.outbox_for([second.message_id, first.message_id])
        none = tx.outbox_for(["3f1c2a40-0000-4000-8000-000000000000"])

    assert [(r.message_id, r.destination, r.body, r.headers) for r in got] == [
        (r.message_id, r.destination, r.body, r.headers) for r in rows_1]
    assert all(r.input_id == first.message_id for r in got)
    seqs = [r.seq for r in both]
    assert all(isinstance(s, int) for s in seqs) and seqs == sorted(seqs)
    assert [r.message_id for r in both] == [
        rows_1[0].message_id, rows_1[1].message_id, rows_2[0].message_id, rows_1[2].message_id]
    assert none == []


def test_a_failed_transaction_leaves_no_outputs(store):
    env = workorder(1)
    try:
        with store.transaction() as tx:
            tx.add_outbox([outbox_row(env, "metering", 0)])
            raise RuntimeError("projection failed")
    except RuntimeError:
        pass
    with store.transaction() as tx:
        assert tx.outbox_for([env.message_id]) == []


def test_purge_outbox_drops_rows_written_before_the_cut(store):
    env = workorder(1)
    with store.transaction() as tx:
        tx.add_outbox([outbox_row(env, "metering", 0)])
    now = datetime.now(UTC)
    assert store.purge_outbox(now - timedelta(hours=1)) == 0
    assert store.purge_outbox(now + timedelta(seconds=1)) == 1
    with store.transaction() as tx:
        assert tx.outbox_for([env.message_id]) == []
