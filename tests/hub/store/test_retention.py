"""Data retention on SQLite and PostgreSQL, with an injected clock: what each kind keeps,
what goes, in batches, each batch audited; the dry run counts exactly what the purge takes."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from hub.config import Settings
from hub.ops.audit import AuditEntry, entries, record
from hub.retention import Kind, Retention
from hub.store import CaseRow, Store
from hub.store.tables import case_key
from schemas.codes import CaseStatus
from schemas.projection import CaseState, project, state_json
from tests.factories import envelope, swedish_case
from tests.hub.store.builders import dead_letter_row, trace_row, workorder

NOW = datetime.now(UTC).replace(microsecond=0)
DAYS = {Kind.CASES: 90, Kind.TRACE: 180, Kind.DEAD_LETTERS: 30, Kind.AUDIT: 1830}


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def case_row(seed: int, *, status: str, at: datetime) -> CaseRow:
    """A case as the hub stores it: the projected CaseState, the full case JSON inside."""
    state = project(None, envelope("case.submitted", swedish_case(seed))).state
    state = state.model_copy(update={"status": CaseStatus(status), "updated_at": at})
    return CaseRow(case_id=state.case_id, status=status, flow=str(state.flow),
                   state=state_json(state), keys=state.keys,
                   last_message_id=state.last_message_id, updated_at=at)


def retention(store: Store, clock: Clock, batch: int = 500) -> Retention:
    return Retention(store, dict(DAYS), batch=batch, clock=clock)


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def test_closed_cases_lose_their_personal_data_after_the_retention(store: Store) -> None:
    with store.transaction() as tx:
        tx.save_cases([case_row(1, status="archived", at=ago(91)),
                       case_row(2, status="cancelled", at=ago(91)),
                       case_row(3, status="archived", at=ago(89)),  # closed, not long enough
                       case_row(4, status="submitted", at=ago(400))])  # open: never
    done, more = retention(store, Clock(NOW)).purge()
    assert (done[Kind.CASES], more) == (2, False)

    erased = store.case("SE-1001")
    assert erased is not None and erased.erased_at == NOW and erased.status == "archived"
    text = json.dumps(erased.state, ensure_ascii=False)
    personal = swedish_case(1)
    for gone in ("Anna Lindqvist", "anna.lindqvist@example.se", "Erik Johansson",
                 "Maria Holm", personal.property_owner.personal_number.reveal(),
                 personal.facilities[0].address.street, "070-765 43 21"):
        assert gone not in text
    case = erased.state["case"]
    assert case["facilities"][0]["facility_id"] == personal.facilities[0].facility_id.reveal()
    assert case["installer_company"] == {"name": "Bollérud Elektro AB"}
    assert case["status"] == "submitted" and case["reference"] == personal.reference
    # the hub still loads the case: a late message for it is projected or refused, not broken
    loaded = CaseState.model_validate(erased.state)
    assert loaded.status == "archived" and loaded.keys == erased.keys
    original = case_row(1, status="archived", at=ago(91))
    assert erased.keys == original.keys and erased.keys  # business keys stay: still found
    with store.engine.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).select_from(case_key)
                           .where(case_key.c.case_id == "SE-1001")) == len(
            [v for vs in erased.keys.values() for v in vs])
    for kept in ("SE-1003", "SE-1004"):
        case = store.case(kept)
        assert case is not None and case.erased_at is None
        assert "Anna Lindqvist" in json.dumps(case.state, ensure_ascii=False)


def test_a_case_saved_again_after_erasure_is_erased_again_in_time(store: Store) -> None:
    with store.transaction() as tx:
        tx.save_cases([case_row(1, status="archived", at=ago(100))])
    retention(store, Clock(NOW)).purge()
    with store.transaction() as tx:  # a late message brings the full case back
        tx.save_cases([case_row(1, status="archived", at=NOW)])  # the full case again
    again = store.case("SE-1001")
    assert again is not None and again.erased_at is None
    assert retention(store, Clock(NOW + timedelta(days=89))).purge()[0][Kind.CASES] == 0
    assert retention(store, Clock(NOW + timedelta(days=91))).purge()[0][Kind.CASES] == 1


def test_trace_rows_go_after_their_days_and_dead_letters_only_when_settled(
        store: Store) -> None:
    env = workorder(1)
    with store.transaction() as tx:
        tx.add_trace([trace_row(env, "received", at=ago(181)),
                      trace_row(env, "routed", at=ago(179))])
        open_id, replayed_id, discarded_id = tx.add_dead_letters(
            [dead_letter_row(workorder(i), at=ago(400)) for i in (2, 3, 4)])
        tx.set_dead_letter_status([replayed_id], "replayed", replayed=True)
        tx.set_dead_letter_status([discarded_id], "discarded")
    # Settled just now (the store's clock): 29 days on they stay, 31 days on they go.
    assert retention(store, Clock(NOW + timedelta(days=29))).due()[2].count == 0
    done, _ = retention(store, Clock(NOW + timedelta(days=31))).purge()
    assert done[Kind.TRACE] == 2  # 31 days on, both trace rows are past 180 days
    assert done[Kind.DEAD_LETTERS] == 2
    assert [d.id for d in store.dead_letters(status=None)] == [open_id]  # open: never
    assert store.dead_letters(key=workorder(3).payload["workorder_id"], status=None) == []


def test_the_trace_keeps_what_is_younger(store: Store) -> None:
    env = workorder(1)
    with store.transaction() as tx:
        tx.add_trace([trace_row(env, "received", at=ago(181)),
                      trace_row(env, "routed", at=ago(179))])
    assert retention(store, Clock(NOW)).purge()[0][Kind.TRACE] == 1
    assert [h.hop for h in store.trace(env.case_id)] == ["routed"]


def test_each_batch_is_audited_and_the_dry_run_counts_what_the_purge_takes(
        store: Store) -> None:
    env = workorder(1)
    with store.transaction() as tx:
        tx.add_trace([trace_row(env, f"hop-{i}", at=ago(200 + i)) for i in range(5)])
        record(tx.conn, [AuditEntry(actor="a@b", action="pause", subject="connector kis",
                                    reason="old", at=ago(1831))])
    purge = retention(store, Clock(NOW), batch=2)
    due = {d.kind: d.count for d in purge.due()}
    assert due == {Kind.CASES: 0, Kind.TRACE: 5, Kind.DEAD_LETTERS: 0, Kind.AUDIT: 1}
    assert len(store.trace(env.case_id)) == 5  # the dry run changed nothing

    done, more = purge.purge(actor="maria.holm@drift")
    assert (done, more) == ({Kind.CASES: 0, Kind.TRACE: 5, Kind.DEAD_LETTERS: 0,
                             Kind.AUDIT: 1}, False)
    with store.engine.connect() as conn:
        rows = entries(conn, action="purge")
    trace_batches = sorted((r for r in rows if r.subject == "retention trace"),
                           key=lambda r: r.id or 0)
    assert [r.detail["count"] for r in trace_batches] == [2, 2, 1]  # batches of two
    assert {(r.actor, r.at) for r in rows} == {("maria.holm@drift", NOW)}
    assert trace_batches[0].reason == "retention: trace rows older than 180 days " \
                                      "(retention_trace_days)"
    assert {r.subject for r in rows} == {"retention trace", "retention audit"}
    # the purge's own audit rows are new: the next purge finds nothing
    assert all(d.count == 0 for d in purge.due())


def test_a_purge_stops_when_its_time_budget_is_spent(store: Store) -> None:
    with store.transaction() as tx:
        tx.add_trace([trace_row(workorder(1), "received", at=ago(200))])
    done, more = retention(store, Clock(NOW)).purge(budget_s=0)
    assert (sum(done.values()), more) == (0, True)
    assert retention(store, Clock(NOW)).purge(budget_s=60) == (
        {Kind.CASES: 0, Kind.TRACE: 1, Kind.DEAD_LETTERS: 0, Kind.AUDIT: 0}, False)


def test_the_audit_may_not_be_kept_shorter_than_what_it_records() -> None:
    with pytest.raises(ValueError, match="retention_audit_days"):
        Settings(retention_audit_days=10, retention_dead_letter_days=30)
    assert Settings().retention_audit_days > Settings().retention_trace_days


def test_purges_of_several_processes_take_each_row_once(store: Store) -> None:
    env = workorder(1)
    with store.transaction() as tx:
        tx.add_trace([trace_row(env, f"hop-{i}", at=ago(200)) for i in range(40)])
    results: list[int] = []

    def purge() -> None:  # each a hub process: its own Retention, batches of three
        results.append(retention(store, Clock(NOW), batch=3).purge()[0][Kind.TRACE])

    workers = [threading.Thread(target=purge) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sum(results) == 40 and store.trace(env.case_id) == []
    with store.engine.connect() as conn:
        counts = [r.detail["count"] for r in entries(conn, action="purge", limit=1000)]
    assert sum(counts) == 40 and 0 not in counts  # every row audited once, no empty batch
