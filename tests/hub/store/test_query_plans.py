"""The ops queries read by index on both stores (issue 21): asserted from the query plans,
so a query that falls back to reading a whole table is caught at any size, without timing.

On PostgreSQL sequential scans are switched off for the plan (SET LOCAL enable_seqscan): a
few rows would be scanned anyway, and a plan that still scans has no index it can use."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from hub.ops.selection import Selection, select_groups, select_rows
from hub.store import Store, deadletters
from hub.store.plans import Plan, explain
from hub.store.tables import dead_letter
from hub.store.tables import trace as trace_t
from hub.store.trace import latest_routed_at, trace_query
from tests.hub.store.builders import case_row, dead_letter_row, meter_number, trace_row, workorder

CASES = 6


@pytest.fixture
def grown(store: Store) -> Store:
    with store.transaction() as tx:
        for seed in range(CASES):
            env = workorder(seed)
            tx.save_cases([case_row(seed)])
            tx.add_trace([trace_row(env, "received"),
                          trace_row(env, "routed", target="metering"),
                          trace_row(env, "delivered", target="metering")])
            tx.add_dead_letters([dead_letter_row(env)])
    return store


@pytest.fixture
def conn(grown: Store) -> Iterator[sa.Connection]:
    with grown.engine.connect() as c, c.begin():
        if c.dialect.name == "postgresql":
            c.exec_driver_sql("SET LOCAL enable_seqscan = off")
        yield c


def _plan(conn: sa.Connection, stmt: sa.ClauseElement, table: str) -> Plan:
    plan = explain(conn, stmt)
    assert table not in plan.scanned, f"{table} read whole:\n{plan.text}"
    return plan


@pytest.mark.parametrize("which", ["case id", "gsrn", "meter number", "gsrn of kind"])
def test_trace_by_case_or_business_key_is_looked_up_in_the_case_index(conn, which):
    env = workorder(2)
    key, kind = {"case id": (env.case_id, None), "gsrn": (str(env.payload["gsrn"]), None),
                 "meter number": (meter_number(2), None),
                 "gsrn of kind": (str(env.payload["gsrn"]), "gsrn")}[which]
    plan = _plan(conn, trace_query(key, kind), "trace")
    assert "ix_trace_case_at" in plan.searched, plan.text


def test_trace_lookup_finds_the_case_by_id_and_by_key(grown):
    env = workorder(3)
    by_id = grown.trace(env.case_id)
    assert [h.hop for h in by_id] == ["received", "routed", "delivered"]
    assert grown.trace(meter_number(3)) == by_id
    assert grown.trace("no-such-key") == []


def test_status_oldest_estimate_reads_the_routed_index(conn):
    plan = _plan(conn, latest_routed_at("metering", 3), "trace")
    assert "ix_trace_routed_target" in plan.searched, plan.text


def test_status_oldest_estimate_is_the_nth_latest_routed(conn):
    ats = conn.scalars(sa.select(trace_t.c.at).where(trace_t.c.hop == "routed")
                       .order_by(trace_t.c.id.desc())).all()
    assert conn.scalar(latest_routed_at("metering", 2)) == ats[1]
    assert conn.scalar(latest_routed_at("metering", CASES + 1)) is None


def test_dead_letter_list_and_show_read_by_index(conn):
    newest = select_rows(conn, Selection(), ("open",), limit=2, newest_first=True)
    assert [r.id for r in newest] == [CASES, CASES - 1]
    listing = sa.select(dead_letter.c.id).where(dead_letter.c.status == "open") \
        .order_by(dead_letter.c.id.desc()).limit(500)
    assert "ix_dead_letter_status_id" in _plan(conn, listing, "dead_letter").searched
    oldest = sa.select(dead_letter.c.id).where(dead_letter.c.status == "open") \
        .order_by(dead_letter.c.id).limit(200)
    assert "ix_dead_letter_status_id" in _plan(conn, oldest, "dead_letter").searched
    _plan(conn, sa.select(dead_letter).where(dead_letter.c.id == 3), "dead_letter")
    by_case = sa.select(dead_letter.c.id).where(dead_letter.c.case_id == workorder(1).case_id)
    _plan(conn, by_case, "dead_letter")


def test_dead_letter_groups_read_by_the_status_index(conn):
    found = select_groups(conn, Selection(), ("open",))
    assert [g.count for g in found] == [CASES]
    agg = sa.select(dead_letter.c.fingerprint, sa.func.count()) \
        .where(dead_letter.c.status == "open").group_by(dead_letter.c.fingerprint)
    plan = _plan(conn, agg, "dead_letter")
    assert "ix_dead_letter_status_fingerprint" in plan.searched, plan.text
    assert deadletters.groups(conn, "open")[0].count == CASES
