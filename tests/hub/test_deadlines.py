"""Deadlines judged by the target's acceptance; retries that will pass the deadline flagged
while retrying; ``gridhub metering completeness`` listing what is not accepted in time."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from click.testing import CliRunner

from hub.deadlines import Attempt, settle
from hub.ops.completeness import completeness, last_closed_day
from hub.ops.db import open_store, reading
from hub.store.deadlines import WatchRow, WatchState, watch
from hub.store.deadlines import get as watched
from schemas.envelope import Envelope
from tests.factories import envelope, gsrn
from tests.hub.ops.conftest import cli_env, gridhub_group
from tests.support.hubrun import routes_yaml, running_hub, settings_for, wait_until
from tests.support.sink import Sink

ROUTES = """\
  - name: values-to-alpha
    match: {type: meteringvalues.collected}
    to: [alpha]
    retry: fast
    deadline: {field: payload.day, at: "07:00", timezone: Europe/Oslo}
"""
A, B, C = (gsrn(n, "NO").reveal() for n in (31, 32, 33))


def values(point: str, day: str) -> Envelope:
    observations = [{"position": i, "quantity": str(Decimal("0.25")), "quality": "measured"}
                    for i in range(1, 97)]
    return envelope("meteringvalues.collected", case_id=point, payload={
        "gsrn": point, "day": day, "resolution": "PT15M", "observations": observations})


def _watch(store: Any, message: Envelope, due: datetime, received: datetime) -> None:
    with store.transaction() as tx:
        watch(tx.conn, [WatchRow(message_id=message.message_id, route="values-to-alpha",
                                     destination="alpha", case_id=message.case_id,
                                     day=message.payload["day"], due_at=due,
                                     received_at=received)])


def test_lateness_is_judged_by_acceptance_not_by_receipt(tmp_path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'hub.db'}")
    now = datetime.now(UTC)
    due = now - timedelta(minutes=5)
    in_time, retried = values(A, "2024-03-13"), values(B, "2024-03-13")
    for message in (in_time, retried):
        _watch(store, message, due, received=now - timedelta(minutes=30))  # before the due
    with store.transaction() as tx:
        first = settle(tx, "alpha", [
            Attempt(retried, "later", "values-to-alpha", next_attempt=now + timedelta(minutes=1))],
            now - timedelta(minutes=20))
        then = settle(tx, "alpha", [Attempt(in_time, "delivered", "values-to-alpha"),
                                    Attempt(retried, "delivered", "values-to-alpha")], now)
        rows = watched(tx.conn, [in_time.message_id, retried.message_id])
    store.close()
    assert (first.at_risk, first.late) == (1, 0)  # flagged 20 min before the deadline passed
    assert [h.hop for h in first.trace] == ["deadline-at-risk"]
    assert "still retrying" in (first.trace[0].detail or "")
    assert (then.late, then.at_risk) == (2, 0)  # both received in time, accepted after it
    assert {h.hop for h in then.trace} == {"late"}
    assert "accepted by alpha 5 min late" in (then.trace[0].detail or "")
    assert {r.state for r in rows.values()} == {WatchState.ACCEPTED}
    assert all(r.accepted_at == now and r.late for r in rows.values())


def test_a_running_hub_flags_retries_past_the_deadline_and_lists_what_is_missing(
        tmp_path) -> None:
    with Sink() as alpha:
        settings = settings_for(tmp_path, "embedded", "gridhub",
                                routes_yaml({"alpha": alpha.url}, ROUTES))
        with running_hub(settings) as hub:
            # On 2024-03-12 A and B delivered; for 2024-03-13 only B, failing twice first
            # (once retried at once, then scheduled: past its deadline, long gone).
            hub.inbound.publish([values(A, "2024-03-12"), values(B, "2024-03-12")])
            wait_until(lambda: len(alpha.docs()) == 2, what="yesterday's values")
            alpha.state.fail_next = 2
            hub.inbound.publish([values(B, "2024-03-13")])
            wait_until(lambda: len(alpha.docs()) == 3, what="B's values after two retries")
            with reading(hub.store) as conn:
                found = completeness(conn, date(2024, 3, 13))
            trace = hub.store.trace(B)
            env = cli_env(settings)
            runner = CliRunner()
            text = runner.invoke(gridhub_group(), ["metering", "completeness", "--day",
                                                   "2024-03-13"], env=env)
            as_json = runner.invoke(gridhub_group(), ["metering", "completeness", "--day",
                                                      "2024-03-13", "--json"], env=env)
            bad = runner.invoke(gridhub_group(), ["metering", "completeness", "--day",
                                                  "13.03.2024"], env=env)
    hops = [t.hop for t in trace]
    today = hops[hops.index("late") + 1:]  # after the day before's delivery, late as well
    assert today.count("deadline-at-risk") == 1 and today.count("late") == 1
    assert today.index("retry-scheduled") < today.index("deadline-at-risk") < \
        today.index("delivered") < today.index("late")
    assert (found.expected, found.on_time) == (2, 0)
    assert {p.metering_point: p.status for p in found.points} == {A: "missing", B: "late"}
    assert text.exit_code == 1, text.output
    assert "0 of 2 metering points accepted in time" in text.output
    assert f"{A}  missing" in text.output and f"{B}  late" in text.output
    doc = json.loads(as_json.output)
    assert {p["metering_point"]: p["status"] for p in doc["points"]} == {A: "missing",
                                                                         B: "late"}
    assert bad.exit_code == 2 and "13.03.2024" in bad.output


def test_the_last_closed_day_turns_at_0700_in_oslo() -> None:
    assert last_closed_day(datetime(2024, 3, 14, 5, 59, tzinfo=UTC)) == date(2024, 3, 12)
    assert last_closed_day(datetime(2024, 3, 14, 6, 0, tzinfo=UTC)) == date(2024, 3, 13)


def test_the_dashboard_and_metrics_show_the_last_closed_day(tmp_path) -> None:
    from hub.access import Access, Role
    from hub.web.app import create_app
    from tests.hub.web.conftest import PASSWORD, SECRET, add_users, serve
    from tests.hub.web.test_app import Client

    day = last_closed_day()
    with Sink() as alpha:
        settings = settings_for(tmp_path, "embedded", "gridhub",
                                routes_yaml({"alpha": alpha.url}, ROUTES))
        with running_hub(settings) as hub:
            before = (day - timedelta(days=1)).isoformat()
            hub.inbound.publish([values(A, before), values(B, before),
                                 values(B, day.isoformat())])
            wait_until(lambda: len(alpha.docs()) == 3, what="three deliveries")
            access = Access(hub.store)
            access.ensure_tables()
            add_users(access)
            app = create_app(settings, access=access, metrics=None, store=hub.store,
                             secret=SECRET, connectors=hub.connectors)
            with serve(app) as url:
                token = access.create_token("prometheus", [Role.viewer], by="test")
                _, _, metrics = Client(url, token=token).request("/metrics")
                person = Client(url)
                assert person.log_in("olle", PASSWORD) == 303
                status, _, html = person.request("/")
    labels = f'day="{day.isoformat()}"'
    assert f'gridhub_metering_points_not_in_time{{{labels},status="missing"}} 1.0' in metrics
    assert f'gridhub_metering_points_not_in_time{{{labels},status="late"}} 1.0' in metrics
    assert f"gridhub_metering_points_expected{{{labels}}} 2.0" in metrics
    assert status == 200 and f"Metering values at the datahub, {day.isoformat()}" in html
    assert "0 of 2 metering points accepted in time" in html
    assert f'<td class="mono">{A}</td><td>missing</td>' in html
