"""How the 0.1.0 dumps here were made (kept to say exactly what is in them).

Run against a clean export of gridhub 0.1.0 (commit 7339498), never this tree:

    git archive 7339498 | tar -x -C /tmp/rel
    PYTHONPATH=/tmp/rel .venv/bin/python tests/hub/store/legacy/make.py sqlite:////tmp/rel.db

then ``sqlite3`` iterdump / ``pg_dump --inserts -n SCHEMA`` with the schema name and session
settings taken out (see the head of each .sql file).
"""

from __future__ import annotations

import sys
from datetime import timedelta

import sqlalchemy as sa

from hub.access import Access
from hub.access.model import Role
from hub.access.tables import login_failures, warnings  # type: ignore[attr-defined]  # 0.1.0
from hub.ops.db import open_store
from hub.ops.pause import pause
from hub.store import CaseRow
from schemas.codes import CaseStatus
from schemas.projection import project, state_json
from tests.factories import T0, envelope, swedish_case
from tests.hub.store.builders import (
    dead_letter_row,
    outbox_row,
    scheduled_row,
    trace_row,
    workorder,
)


def main(url: str) -> None:
    store = open_store(url)
    access = Access(store, clock=lambda: T0)
    access.ensure_tables()
    with store.transaction() as tx:
        tx.save_cases([_case(seed, status) for seed, status in enumerate(
            ["submitted", "archived", "cancelled", "approved", "archived"])])
        for seed in range(5):
            env = workorder(seed)
            tx.add_trace([trace_row(env, "received", at=T0 - timedelta(days=300 - seed)),
                          trace_row(env, "delivered", target="metering", attempt=1,
                                    at=T0 - timedelta(days=300 - seed, minutes=-1))])
            tx.mark_seen("hub", [env.message_id], T0 - timedelta(days=seed * 10))
            tx.add_outbox([outbox_row(env, "metering", 0)])
            tx.mark_delivered("metering", [env.message_id], T0 - timedelta(days=seed))
        ids = tx.add_dead_letters([dead_letter_row(workorder(10 + i),
                                                   at=T0 - timedelta(days=200 - i))
                                   for i in range(4)])
        tx.set_dead_letter_status(ids[:1], "discarded")
        tx.set_dead_letter_status(ids[1:2], "replayed", replayed=True)
        tx.schedule([scheduled_row(workorder(20)), scheduled_row(workorder(21), due_at=None)])
        tx.aggregate_add("agg-1", "workorders", "part-a", {"a": 1}, T0 + timedelta(hours=1))
        tx.conn.execute(sa.insert(warnings).values(
            user_name="anna", role="operator", day="2026-11-01", mailed_at=T0))
        tx.conn.execute(sa.insert(login_failures).values(
            user_name="cecilia", failures=3, window_start=T0, locked_until=None))
    access.add_user("anna", "hemligt-lösen-1", by="setup", email="anna@example.se")
    access.grant("anna", Role.operator, by="setup")
    access.add_user("bertil", "hemligt-lösen-2", by="setup")
    access.grant("bertil", Role.admin, by="setup")
    access.create_token("nis-bridge", [Role.viewer], by="setup")
    access.create_token("monitor", [Role.viewer, Role.operator], personal_data=True, by="setup")
    pause(store, "kis", actor="setup", reason="KIS underhåll")
    store.heartbeat("gridhub", "worker-1", T0, T0 - timedelta(minutes=1))
    store.close()


def _case(seed: int, status: str) -> CaseRow:
    at = T0 - timedelta(days=400 - seed * 90)
    state = project(None, envelope("case.submitted", swedish_case(seed))).state
    state = state.model_copy(update={"status": CaseStatus(status), "updated_at": at})
    return CaseRow(case_id=state.case_id, status=status, flow=str(state.flow),
                   state=state_json(state), keys=state.keys,
                   last_message_id=state.last_message_id, updated_at=at)


if __name__ == "__main__":
    main(sys.argv[1])
