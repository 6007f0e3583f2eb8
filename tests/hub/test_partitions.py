"""The hub queue split by case on RabbitMQ: which partition a message goes to, and how the
live hub processes share the partitions (hub.topology, hub.partitions)."""



from hub import codec
from hub.partitions import share
from hub.topology import HUB_KEY, PARTITIONS, partition_key, partition_of, topology_for
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
