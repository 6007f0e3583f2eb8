from datetime import timedelta

from hub.store.statements import IN_CHUNK
from tests.hub.store.builders import AT, workorder

IDS = [workorder(seed).message_id for seed in range(4)]


def test_seen_reports_only_ids_marked_by_that_consumer(store):
    with store.transaction() as tx:
        assert tx.seen("hub", IDS) == set()
        tx.mark_seen("hub", IDS[:2], AT)
        tx.mark_seen("deliver:kis", IDS[2:3], AT)
    with store.transaction() as tx:
        assert tx.seen("hub", IDS) == set(IDS[:2])
        assert tx.seen("deliver:kis", IDS) == {IDS[2]}
        assert tx.seen("deliver:nis", IDS) == set()


def test_marking_again_is_ignored_and_keeps_the_first_time(store):
    with store.transaction() as tx:
        tx.mark_seen("hub", [IDS[0], IDS[0]], AT)  # duplicate inside one batch
    with store.transaction() as tx:
        tx.mark_seen("hub", IDS[:2], AT + timedelta(days=30))  # IDS[0] again, later
        assert tx.seen("hub", IDS) == set(IDS[:2])
    # Purging by the first time removes IDS[0]: the later mark did not refresh it.
    assert store.purge_seen(AT + timedelta(days=1)) == 1
    with store.transaction() as tx:
        assert tx.seen("hub", IDS) == {IDS[1]}


def test_purge_seen_removes_only_ids_older_than_the_cut(store):
    with store.transaction() as tx:
        tx.mark_seen("hub", IDS[:2], AT - timedelta(days=8))
        tx.mark_seen("hub", IDS[2:], AT)
    assert store.purge_seen(AT - timedelta(days=7)) == 2
    assert store.purge_seen(AT - timedelta(days=7)) == 0
    with store.transaction() as tx:
        assert tx.seen("hub", IDS) == set(IDS[2:])


def test_seen_handles_batches_larger_than_one_in_list(store):
    many = [f"{i:08d}-5d1c-4f0e-9a7e-000000000000" for i in range(IN_CHUNK * 2 + 7)]
    with store.transaction() as tx:
        tx.mark_seen("hub", many[::2], AT)
    with store.transaction() as tx:
        assert tx.seen("hub", many) == set(many[::2])
