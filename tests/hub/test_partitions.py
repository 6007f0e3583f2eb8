"""The hub queue split by case on RabbitMQ: which partition a message goes to, and how the
live hub processes share the partitions (hub.topology, hub.partitions)."""

from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from hub import codec
from hub.partitions import Membership, share
from hub.store import Store
from hub.store.tables import hub_member
from hub.topology import HUB_KEY, PARTITIONS, partition_key, partition_of, topology_for
from hub.tracing import now
from tests.factories import envelope, swedish_case


def test_every_partition_has_exactly_one_owner_for_any_number_of_workers() -> None:
    for count in range(1, PARTITIONS + 3):
        members = [f"w{i:02d}" for i in range(count)]
        owned = [p for m in members for p in share(members, m, PARTITIONS)]
        assert sorted(owned) == list(range(PARTITIONS)), count


def test_a_process_not_yet_among_the_members_takes_everything() -> None:
    assert share(["a", "b"], "c", 4) == [0, 1, 2, 3]


def test_the_routing_key_follows_the_envelopes_case_id_not_the_payload() -> None:
    case = swedish_case(3)
    first = codec.encode(envelope("case.submitted", case))
    other = codec.encode(envelope("case.note.added", case, step=2))
    expected = f"{HUB_KEY}.{partition_of(case.case_id)}"
    assert partition_key(first) == partition_key(other) == expected
    # The same case id spelt inside the payload of another case does not move that message.
    foreign = codec.encode(envelope("case.note.added", case, case_id="SE-77", step=3))
    assert partition_key(foreign) == f"{HUB_KEY}.{partition_of('SE-77')}"


def test_partitions_only_on_rabbitmq() -> None:
    amqp = topology_for("ns", "amqp://guest:guest@localhost//")
    embedded = topology_for("ns", "embedded:///tmp/b.db")
    assert [q.name for q in embedded.hub_queues()] == ["ns.hub.in"]
    names = [q.name for q in amqp.hub_queues()]
    assert names[0] == "ns.hub.in" and names[-1] == f"ns.hub.in.{PARTITIONS - 1}"
    assert all(q.queue_arguments and q.queue_arguments["x-single-active-consumer"]
               for q in amqp.hub_queues())


def test_two_processes_split_the_partitions_and_one_takes_all_when_the_other_leaves(
        tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'hub.db'}")
    store.open()
    try:
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
    finally:
        store.close()
