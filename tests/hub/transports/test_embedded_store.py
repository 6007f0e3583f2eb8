import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.errors import ConfigurationError
from hub.transports.embedded_store import BrokerInUse, MessageStore, peek_ready
from tests.hub.transports.support import case_body

pytestmark = pytest.mark.timeout(30)

@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "broker.db"


@pytest.fixture
def store(path: Path) -> Iterator[MessageStore]:
    opened = MessageStore(path)
    opened.open()
    yield opened
    opened.close()


def _payload(n: int) -> str:
    return json.dumps({"body": case_body(n), "properties": {"delivery_info": {}}})


def test_fetch_takes_oldest_first_and_marks_them_in_flight(store):
    qid = store.queue_id("gridhub.hub.in")
    for n in range(5):
        store.put([qid], _payload(n))
    fetched = store.fetch(qid, 3)
    assert [json.loads(f.payload)["body"]["payload"]["n"] for f in fetched] == [0, 1, 2]
    assert not any(f.redelivered for f in fetched)
    assert (store.ready(qid), store.in_flight()) == (2, 3)


def test_requeue_restores_original_position_and_flags_redelivery(store):
    qid = store.queue_id("gridhub.hub.in")
    for n in range(3):
        store.put([qid], _payload(n))
    first = store.fetch(qid, 1)
    store.requeue([first[0].row_id])
    again = store.fetch(qid, 3)
    assert [f.row_id for f in again] == sorted(f.row_id for f in again)
    assert again[0].row_id == first[0].row_id and again[0].redelivered
    assert [f.redelivered for f in again[1:]] == [False, False]


def test_ack_deletes_and_many_acks_share_one_call(store):
    qid = store.queue_id("gridhub.hub.in")
    for n in range(1200):  # more than one parameter chunk
        store.put([qid], _payload(n))
    fetched = store.fetch(qid, 1200)
    store.ack([f.row_id for f in fetched])
    assert (store.ready(qid), store.in_flight()) == (0, 0)


def test_put_to_several_queues_stores_one_copy_each(store):
    ids = [store.queue_id("q.audit.a"), store.queue_id("q.audit.b")]
    generation = store.generation
    store.put(ids, _payload(1))
    assert [store.ready(qid) for qid in ids] == [1, 1]
    assert store.generation > generation  # waiting consumers get woken


def test_purge_removes_ready_messages_only(store):
    qid = store.queue_id("gridhub.hub.in")
    for n in range(4):
        store.put([qid], _payload(n))
    store.fetch(qid, 1)
    assert store.purge(qid) == 3
    assert (store.ready(qid), store.in_flight()) == (0, 1)


def test_reopening_recovers_what_the_previous_owner_left_in_flight(path):
    first = MessageStore(path)
    first.open()
    qid = first.queue_id("gridhub.hub.in")
    for n in range(3):
        first.put([qid], _payload(n))
    first.fetch(qid, 2)
    first.close()
    second = MessageStore(path)
    try:
        assert second.open() == 2
        assert second.ready(second.queue_id("gridhub.hub.in")) == 3
    finally:
        second.close()


def test_the_lock_refuses_a_second_owner_and_names_the_holder(path, store):
    other = MessageStore(path)
    with pytest.raises(BrokerInUse) as caught:
        other.open()
    assert f"in use by pid {os.getpid()}" in str(caught.value)
    assert caught.value.where == f"{path}.lock"


def test_file_is_in_wal_mode_with_the_chosen_synchronous_level(path):
    store = MessageStore(path, synchronous="full")
    store.open()
    try:
        probe = sqlite3.connect(path)
        assert probe.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        probe.close()
        raw = store._raw()
        assert raw.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    finally:
        store.close()


def test_unknown_synchronous_level_is_a_configuration_error(path):
    with pytest.raises(ConfigurationError, match="synchronous must be one of"):
        MessageStore(path, synchronous="OFF")


def test_peek_counts_ready_messages_without_the_lock(path, store):
    assert peek_ready(path.with_name("missing.db"), "gridhub.hub.in") is None
    qid = store.queue_id("gridhub.hub.in")
    for n in range(3):
        store.put([qid], _payload(n))
    store.fetch(qid, 1)
    assert peek_ready(path, "gridhub.hub.in") == 2
    assert peek_ready(path, "gridhub.out.kis") is None


def test_deleting_a_queue_forgets_it_and_its_messages(store):
    qid = store.queue_id("gridhub.out.kis")
    store.put([qid], _payload(1))
    store.delete_queue("gridhub.out.kis")
    assert store.queue_id("gridhub.out.kis", create=False) is None
    assert store.in_flight() == 0
