"""A demo run's metering values: every new metering point has its values for every simulated
day from its meter's mounting to the end of the window, delivered to its market."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime

import sqlalchemy as sa

from hub.demo.clock import LOCAL
from hub.demo.driver import running_driver
from hub.demo.mix import make_mix
from hub.demo.run import finish
from hub.demo.scenario import Options, play
from hub.ops.db import reading
from hub.store.tables import trace as trace_t


def test_every_new_point_has_values_every_day_from_its_mounting(tmp_path):
    options = Options(outage_after=None, poison=0, window_days=18, day_seconds=0.5,
                      idle=8.0, limit=120.0)
    plans = make_mix(14, 16, arrival_days=1, completion_days=(1, 3))
    with running_driver(tmp_path / "run", clock=options.clock()) as driver:
        played = play(driver, plans, options)
        summary = finish(driver, played, drain_limit=30.0)
        reported = driver.coordinator.reported()
        published = [e for e in driver.world.metering.published
                     if e["eventType"] == "METERING_VALUES_COLLECTED"]
        with reading(driver.store) as conn:
            delivered = Counter((str(c), str(t)) for c, t in conn.execute(
                sa.select(trace_t.c.case_id, trace_t.c.target)
                .where(trace_t.c.hop == "delivered",
                       trace_t.c.type == "meteringvalues.collected")))
    assert summary.ok and played.last_day is not None and played.clock is not None
    # the points: every facility of a new installation whose meter was mounted (by the
    # coordinator's reports, on the simulated clock), a plus customer's production point
    mounted = {o["meteringPoint"]["gsrn"]: _day(o["updatedAt"]) for o in reported
               if o["orderType"] == "MALER_NYTT_ANLEGG"}
    for plan in plans:
        for fac in plan.case.facilities:
            gsrn = fac.facility_id.reveal()
            if fac.production_id is not None and gsrn in mounted:
                mounted[fac.production_id.reveal()] = mounted[gsrn]
    assert mounted and any(g.startswith("735999") for g in mounted)
    assert any(g.startswith("707") for g in mounted)
    swedish_production = {f.production_id.reveal() for p in plans for f in p.case.facilities
                          if f.production_id is not None and p.case.grid_owner.country == "SE"}
    assert swedish_production & set(mounted)  # a Swedish plus customer's production point
    days = defaultdict(set)
    for event in published:
        days[event["meteringPoint"]["gsrn"]].add(date.fromisoformat(event["day"]))
    # the window holds the mountings (a point mounted after it has no day to collect): at
    # least a Norwegian point, a Swedish one and a Swedish production point have values
    within = {g for g, first in mounted.items() if first <= played.last_day}
    assert within & swedish_production and any(g.startswith("707") for g in within), mounted
    assert any(g.startswith("735999") and g not in swedish_production for g in within)
    for gsrn, first in mounted.items():
        if gsrn not in within:
            continue
        want = {date.fromordinal(n) for n in range(first.toordinal(),
                                                   played.last_day.toordinal() + 1)}
        assert days[gsrn] == want, gsrn  # every day from the mounting, none before or after
    ids = {e["eventId"] for e in published}
    # each day's values reached the point's market, once: Elhub for Norway, the supplier
    # (Ediel) for Sweden (a values message's case is its metering point)
    for gsrn in mounted:
        target = "ediel" if gsrn.startswith("735999") else "elhub"
        assert delivered[(gsrn, target)] == len(days[gsrn]), (gsrn, target)
    assert summary.late_values == 0  # days from today on: long before their deadline
    shown = {c: (m["points"], m["point_days"]) for c, m in summary.market.items()}
    per_country = defaultdict(lambda: [set(), 0])
    for event in published:
        gsrn = event["meteringPoint"]["gsrn"]
        country = "SE" if gsrn.startswith("735999") else "NO"
        per_country[country][0].add(gsrn)
        per_country[country][1] += 1
    # the summary's points and point-days per country are the store's deliveries
    for country, (points, point_days) in shown.items():
        assert points <= len(per_country[country][0])
        assert point_days <= per_country[country][1]
    assert shown["NO"][1] == sum(n for (_, t), n in delivered.items() if t == "elhub")
    assert shown["SE"][1] == sum(n for (_, t), n in delivered.items() if t == "ediel")
    assert len(ids) == len(published)


def _day(stamp: str) -> date:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(LOCAL).date()
