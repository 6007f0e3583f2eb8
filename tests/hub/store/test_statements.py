from datetime import UTC, datetime

from hub.store import CaseRow
from hub.store.statements import chunks, plain_insert
from hub.store.tables import trace


def test_chunks_split_without_losing_or_repeating_values():
    values = list(range(1201))
    parts = list(chunks(values, 500))
    assert [len(p) for p in parts] == [500, 500, 201]
    assert [v for p in parts for v in p] == values
    assert list(chunks([], 500)) == []


def _case(case_id, status, n):
    return CaseRow(case_id=case_id, status=status, flow="new_installation",
                   state={"n": n}, keys={"gsrn": [f"73599900000000000{n}"]},
                   updated_at=datetime(2026, 11, 23, 8, n, tzinfo=UTC))


def test_the_hot_statements_are_built_once_and_still_bind_each_call_s_values(store):
    """A reused statement skips SQLAlchemy's construction and cache-key walk; the values of
    each call must still be the ones bound (no value baked into the shared statement)."""
    with store.transaction() as tx:
        tx.save_cases([_case("SE-1", "submitted", 1)])
    with store.transaction() as tx:
        tx.save_cases([_case("SE-1", "approved", 2), _case("SE-2", "submitted", 3)])
        first = tx.seen("hub", ["a", "b"])
        tx.mark_seen("hub", ["a"], datetime(2026, 11, 23, tzinfo=UTC))
        second = tx.seen("hub", ["a", "b", "c"])
        third = tx.seen("deliver:kis", ["a"])
    with store.transaction() as tx:
        loaded = tx.load_cases(["SE-1", "SE-2", "SE-3"])
    assert (first, second, third) == (set(), {"a"}, set())
    assert {k: (r.status, r.state, r.version) for k, r in loaded.items()} == {
        "SE-1": ("approved", {"n": 2}, 2), "SE-2": ("submitted", {"n": 3}, 1)}
    assert plain_insert(trace) is plain_insert(trace)
