"""The demo's claim "every case accounted for" checked against what the targets themselves
received (the installer portal simulator's own record of the calls it took), and a message
left on its way with no reason makes the claim false."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from hub.demo.accounting import account
from hub.demo.driver import running_driver
from hub.demo.mix import make_mix
from hub.demo.run import finish
from hub.demo.scenario import Options, play
from hub.demo.summary import render, summarize
from hub.ops.db import reading
from hub.store import Store
from hub.store.scheduled import ScheduledRow
from hub.store.tables import delivered as delivered_t
from hub.tracing import hop
from tests.factories import envelope, swedish_case


def test_the_summary_is_true_to_what_the_portal_received(tmp_path):
    options = Options(outage_after=None, poison=0, values_for=0, idle=8.0, limit=120.0,
                      window_days=2, day_seconds=0.1)
    with running_driver(tmp_path / "run") as driver:
        played = play(driver, make_mix(8, 5), options)
        summary = finish(driver, played, drain_limit=60.0)
        portal = set(driver.world.elsmart.state.snapshot()["received"])
        with reading(driver.store) as conn:
            delivered = set(conn.scalars(sa.select(delivered_t.c.message_id)
                                         .where(delivered_t.c.destination == "elsmart")))
    elsmart = summary.deliveries["elsmart"]
    # What the portal says it took is what the summary says was delivered to it: no
    # status change, note or archive message is still sitting in gridhub.out.elsmart.
    assert portal == delivered
    assert elsmart.delivered == len(portal) > 0
    assert elsmart.routed == elsmart.delivered + elsmart.dead_lettered + len(elsmart.pending)
    assert summary.drained is not None and summary.drained.complete
    assert summary.pending == 0 and summary.unexplained == 0 and summary.ok
    out = render(summary)
    assert "deliveries per target" in out
    [row] = [line.split() for line in out.splitlines() if line.strip().startswith("elsmart ")
             and len(line.split()) == 5]
    assert row == ["elsmart", str(elsmart.routed), str(len(portal)), "0", "0"]


def test_a_message_on_its_way_without_a_reason_is_not_accounted_for(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'gridhub.db'}")
    store.open()
    try:
        case = swedish_case(3)
        stuck, retried, done = (envelope("case.approved", case, step=i) for i in range(3))
        now = datetime.now(UTC)
        with store.transaction() as tx:
            tx.add_trace([hop(m, "routed", target="elsmart") for m in (stuck, retried, done)])
            tx.mark_delivered("elsmart", [done.message_id], now)
            tx.schedule([ScheduledRow(
                destination="elsmart", case_id=case.case_id, message_id=retried.message_id,
                route=None, body=b"{}", headers={}, attempt=2, first_failure_at=now,
                last_error="portal database unavailable", due_at=now + timedelta(minutes=5))])
        accounts = account(store, ["elsmart"])
        summary = summarize(store, [case.case_id], deliveries=accounts)
    finally:
        store.close()
    elsmart = accounts["elsmart"]
    assert (elsmart.routed, elsmart.delivered, len(elsmart.pending)) == (3, 1, 2)
    reasons = {p.message_id: p.reason for p in elsmart.pending}
    assert reasons[stuck.message_id] is None
    assert "after 2 tries: portal database unavailable" in str(reasons[retried.message_id])
    assert not summary.ok and summary.unexplained == 1
    out = render(summary)
    assert "NOT ACCOUNTED FOR: 1 message(s)" in out and "every case accounted for" not in out
    assert "NO REASON" in out and "portal database unavailable" in out
