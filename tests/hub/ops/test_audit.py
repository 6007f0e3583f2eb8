from datetime import UTC, datetime

import pytest

from hub.ops.audit import AuditEntry, current_actor, entries, record
from hub.ops.db import reading


def _entry(**kw):
    base = {"actor": "maria@ops1", "action": "replay", "subject": "dead-letter 4",
            "reason": "KIS was down 02:10-02:40", "dead_letter_id": 4,
            "detail": {"connector": "kis", "case_id": "SE-1001"}}
    return AuditEntry(**(base | kw))


def test_recorded_entries_come_back_newest_first_with_their_details(store):
    at = datetime(2024, 3, 14, 3, 0, tzinfo=UTC)
    with store.transaction() as tx:
        record(tx.conn, [_entry(at=at), _entry(action="discard", dead_letter_id=5,
                                                subject="dead-letter 5")])
    with reading(store) as conn:
        both = entries(conn)
        only_4 = entries(conn, dead_letter_id=4)
        discards = entries(conn, action="discard")
    assert [e.dead_letter_id for e in both] == [5, 4]
    [four] = only_4
    assert four.actor == "maria@ops1" and four.reason == "KIS was down 02:10-02:40"
    assert four.at == at and four.detail == {"connector": "kis", "case_id": "SE-1001"}
    assert [e.dead_letter_id for e in discards] == [5]


def test_an_entry_in_a_rolled_back_transaction_is_not_kept(store):
    with pytest.raises(RuntimeError), store.transaction() as tx:
        record(tx.conn, [_entry()])
        raise RuntimeError("the replay failed")
    with reading(store) as conn:
        assert entries(conn) == []


@pytest.mark.parametrize("bad", [{"reason": "  "}, {"actor": ""}, {"action": "delete"}])
def test_an_entry_without_reason_or_actor_or_with_unknown_action_is_refused(store, bad):
    with pytest.raises(ValueError, match="audit"), store.transaction() as tx:
        record(tx.conn, [_entry(**bad)])


def test_the_actor_is_the_named_one_or_the_os_user_at_host(monkeypatch):
    monkeypatch.setenv("GRIDHUB_ACTOR", "web:maria.holm")
    assert current_actor() == "web:maria.holm"
    monkeypatch.delenv("GRIDHUB_ACTOR")
    assert "@" in current_actor()
