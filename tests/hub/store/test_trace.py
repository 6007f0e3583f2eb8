from datetime import timedelta

from hub.store import TraceRow
from tests.hub.store.builders import AT, case_row, keys_of, trace_row, workorder


def _timeline(env, other):
    # Written out of time order, on purpose: trace() must sort by time.
    return [
        trace_row(env, "delivered", at=AT + timedelta(seconds=3), target="metering", attempt=2),
        trace_row(env, "received", at=AT),
        trace_row(other, "received", at=AT + timedelta(seconds=1)),
        trace_row(env, "retry-scheduled", at=AT + timedelta(seconds=2), target="metering",
                  outcome="error", attempt=1, detail="TargetTimeout: no answer in 10 s"),
    ]


def test_trace_by_case_id_is_ordered_by_time_and_round_trips(store):
    env, other = workorder(1), workorder(2)
    rows = _timeline(env, other)
    with store.transaction() as tx:
        tx.add_trace(rows)
    got = store.trace(env.case_id)
    assert [t.hop for t in got] == ["received", "retry-scheduled", "delivered"]
    assert all(t.id is not None for t in got)
    by_hop = {t.hop: t for t in got}
    expected = next(r for r in rows if r.hop == "retry-scheduled")
    got_retry = by_hop["retry-scheduled"]
    assert TraceRow(**{**got_retry.__dict__, "id": None}) == expected
    assert got_retry.at.utcoffset() == timedelta(0)


def test_trace_by_gsrn_meter_number_and_workorder_id(store):
    env, other = workorder(1), workorder(2)
    with store.transaction() as tx:
        tx.add_trace(_timeline(env, other))
    keys = keys_of(env)
    for kind in ("gsrn", "meter_number", "workorder_id"):
        [value] = keys[kind]
        got = store.trace(value)
        assert {t.case_id for t in got} == {env.case_id}, kind
        assert len(got) == 3
        assert store.trace(value, kind=kind) == got
    assert store.trace(keys["gsrn"][0], kind="meter_number") == []
    assert store.trace("735999000000000000") == []


def test_a_key_known_only_from_the_case_projection_finds_its_trace(store):
    case = case_row(3)
    env = workorder(3)
    with store.transaction() as tx:
        tx.save_cases([case])
        tx.add_trace([TraceRow(message_id=env.message_id, case_id=case.case_id, type=env.type,
                               hop="received", source="metering", at=AT)])
    [gsrn] = case.keys["gsrn"]
    assert [t.message_id for t in store.trace(gsrn)] == [env.message_id]


def test_one_key_shared_by_two_cases_returns_both_timelines(store):
    a, b = workorder(4), workorder(5)
    shared = keys_of(a)["gsrn"][0]  # a facility that moved to a new case
    rows = [trace_row(a, "received", at=AT),
            TraceRow(message_id=b.message_id, case_id=b.case_id, type=b.type, hop="received",
                     source=b.source, at=AT + timedelta(seconds=1), keys={"gsrn": [shared]})]
    with store.transaction() as tx:
        tx.add_trace(rows)
        tx.add_trace(rows[:1])  # the same keys again must not conflict
    assert [t.case_id for t in store.trace(shared)] == [a.case_id, a.case_id, b.case_id]
    assert [t.case_id for t in store.trace(keys_of(b)["gsrn"][0])] == []
