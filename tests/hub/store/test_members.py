"""Hub worker membership in the store (hub.store.members, hub.partitions): heartbeats, the
live members' split of the partitions, a clean leave and a long-dead member forgotten."""

from datetime import timedelta

import sqlalchemy as sa

from hub.partitions import Membership
from hub.store import Store
from hub.store.tables import hub_member
from hub.tracing import now


def test_two_processes_split_the_partitions_and_one_takes_all_when_the_other_leaves(
        store: Store) -> None:
    first, second = Membership(store, "ns", 12), Membership(store, "ns", 12)
    first.beat()
    second.beat()
    mine, theirs = first.beat(), second.owned()
    assert len(mine) == len(theirs) == 6 and not set(mine) & set(theirs)
    store.leave("ns", second.worker_id)
    assert first.beat() == tuple(range(12))
    # A process that died long ago without leaving is forgotten, not just ignored.
    long_ago = now() - timedelta(hours=2)
    store.heartbeat("ns", "0-dead", long_ago, long_ago - timedelta(seconds=4))
    first.beat()
    with store.transaction() as tx:
        left = tx.conn.scalars(sa.select(hub_member.c.worker_id)).all()
    assert "0-dead" not in left and first.worker_id in left
    # Another namespace's members are not ours.
    assert Membership(store, "other", 12).beat() == tuple(range(12))
