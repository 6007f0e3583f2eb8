"""The hub queue split by case on RabbitMQ: which partition a message goes to, and how the
live hub processes share the partitions (hub.topology, hub.partitions)."""



from collections import Counter

import pytest
from kombu import Connection

from hub import codec
from hub.partitions import share
from hub.publisher import Outgoing, Publisher
from hub.topology import HUB_KEY, PARTITIONS, partition_of, topology_for
from tests.factories import envelope, swedish_case


def test_every_partition_has_exactly_one_owner_for_any_number_of_workers() -> None:
    for count in range(1, PARTITIONS + 3):
        members = [f"w{i:02d}" for i in range(count)]
        owned = [p for m in members for p in share(members, m, PARTITIONS)]
        assert sorted(owned) == list(range(PARTITIONS)), count


def test_a_process_not_yet_among_the_members_takes_everything() -> None:
    assert share(["a", "b"], "c", 4) == [0, 1, 2, 3]


def test_the_publisher_partitions_by_the_envelopes_case_id(amqp_url, amqp_namespace) -> None:
    """Every message of a case reaches the partition of its envelope's case id; a case id
    spelt inside another case's payload does not move that message."""
    topology = topology_for(amqp_namespace, amqp_url)
    cases = [swedish_case(seed) for seed in range(6)]
    messages = [envelope("case.submitted", case) for case in cases]
    messages += [envelope("case.note.added", case, step=2) for case in cases]
    # case 0's id in the payload (the whole case), the envelope's own case id elsewhere
    messages.append(envelope("case.note.added", cases[0], case_id="SE-77", step=3))
    expected = Counter(partition_of(m.case_id) for m in messages)
    assert len(expected) > 2  # the cases spread: a wrong key cannot pass by luck
    with Connection(amqp_url) as conn:
        topology.declare(conn, [])
        publisher = Publisher(conn)
        publisher.publish([Outgoing(topology.inbound, HUB_KEY, codec.encode(m),
                                    case_id=m.case_id) for m in messages])
        publisher.close()
        channel = conn.channel()
        got = {p: topology.hub_partition(p)(channel).queue_declare(passive=True).message_count
               for p in range(PARTITIONS)}
    assert got == {p: expected.get(p, 0) for p in range(PARTITIONS)}


def test_a_message_for_the_hub_without_its_case_id_is_refused(amqp_url, amqp_namespace) -> None:
    topology = topology_for(amqp_namespace, amqp_url)
    with Connection(amqp_url) as conn:
        topology.declare(conn, [])
        publisher = Publisher(conn)
        with pytest.raises(ValueError, match="case_id"):
            publisher.publish([Outgoing(topology.inbound, HUB_KEY, b"{}")])
        publisher.close()


def test_partitions_only_on_rabbitmq() -> None:
    amqp = topology_for("ns", "amqp://guest:guest@localhost//")
    embedded = topology_for("ns", "embedded:///tmp/b.db")
    assert [q.name for q in embedded.hub_queues()] == ["ns.hub.in"]
    names = [q.name for q in amqp.hub_queues()]
    assert names[0] == "ns.hub.in" and names[-1] == f"ns.hub.in.{PARTITIONS - 1}"
    assert all(q.queue_arguments and q.queue_arguments["x-single-active-consumer"]
               for q in amqp.hub_queues())
