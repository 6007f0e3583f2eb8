"""Playing a mix of cases against a running driver: each actor reacts to where its cases
stand in the hub's store, one round every ``tick`` seconds, on the simulated business clock
(hub.demo.clock): a case is sent on its arrival day, completed its drawn number of days after
its approval, and every metering point the demo puts in operation gets its values every day
(hub.demo.values). The play ends once every case has settled, the simulated window is over and
every day's values are out; or when the hub has been idle for a while, or the time is up.

Disturbances on the way: poison messages on the hub's inbound exchange at the start, and one
back end (kis) down for a while in the middle of the run.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import structlog

from hub.demo.cases import P0_DOCUMENTS
from hub.demo.clock import SimClock
from hub.demo.driver import Driver
from hub.demo.mix import Plan, copy_for_new_type
from hub.demo.summary import all_cases
from hub.demo.values import DailyValues
from hub.store import CaseRow

log = structlog.get_logger("gridhub.demo")
LAST_DAYS = 16
"""Simulated days before the window's end by which every installer has sent its completion:
the review, the meter job and the market's activation take a few real seconds (days on the
clock) before a point delivers values."""
FINAL = frozenset({"archived", "cancelled"})
POISON: tuple[bytes, ...] = (
    b"{this is not json",
    json.dumps({"case_id": "SE-99999", "type": "case.exploded", "source": "elsmart",
                "payload": {}}).encode(),
    json.dumps({"message_id": "poison-3", "case_id": "SE-99998", "type": "case.approved",
                "source": "handler", "payload": {"grid_data": "yes please"}}).encode(),
    json.dumps({"message_id": "poison-4", "case_id": "NO-99997", "type": "case.archived",
                "source": "handler", "payload": {}}).encode(),
)
"""Not JSON, an unknown type, a payload breaking its model, a case nobody submitted."""
SE_POINT = "735999123456789018"  # a Swedish metering point (ediel-sweden.md's examples)


@dataclass
class Options:
    tick: float = 0.3
    wave: int = 20  # new cases sent per round
    outage_after: float | None = 4.0  # seconds into the run kis goes down (None: never)
    outage_for: float = 20.0
    poison: int = 4
    values_for: int | None = None  # at most this many points get values (None: every one)
    idle: float = 15.0  # stop when nothing moved for this long and no retry is waiting
    limit: float = 300.0  # stop after this long whatever happens
    window_days: int = 42  # simulated days with values (6 weeks); played on while cases move
    day_seconds: float = 1.0  # real seconds per simulated day

    def clock(self) -> SimClock:
        """A clock for a run with these options, starting today (not yet running)."""
        return SimClock.starting_today(day_seconds=self.day_seconds)


@dataclass
class Played:
    plans: list[Plan]
    elapsed: float
    timed_out: bool
    problems: list[str] = field(default_factory=list)
    outage: tuple[float, float] | None = None  # (start, end) seconds into the run
    clock: SimClock | None = None
    last_day: date | None = None  # the last simulated day played (values up to it)
    values: DailyValues | None = None

    @property
    def case_ids(self) -> list[str]:
        return [p.case_id for p in self.plans]


Progress = Callable[[int, int], None]


class Scenario:
    def __init__(self, driver: Driver, plans: list[Plan], options: Options | None = None,
                 progress: Progress | None = None) -> None:
        self.d = driver
        self.plans = list(plans)
        self.o = options or Options()
        self.progress = progress or (lambda done, total: None)
        self.problems: list[str] = []
        self._coordinator_ok = True
        clock = driver.clock
        self.clock = clock if isinstance(clock, SimClock) else self.o.clock()
        # Values for the window's days only: every day more is a day of values for every
        # point (and, in Sweden, two acknowledgements back each), more than the run holds.
        self.values = DailyValues(driver, self.clock, self.plans, self.o.values_for,
                                  last_day=self.clock.day(self.o.window_days - 1))
        self._se_market = "to do"

    def run(self) -> Played:
        self.clock.run()
        start = time.monotonic()
        outage: tuple[float, float] | None = None
        self._poison()
        last_change, signature = start, None
        timed_out = False
        while True:
            now = time.monotonic() - start
            outage = self._outage(now, outage)
            rows = {r.case_id: r for r in all_cases(self.d.store)}
            self._round(rows)
            done = sum(1 for p in self.plans if self._settled(p, rows.get(p.case_id)))
            self.progress(done, len(self.plans))
            new_signature = (tuple(sorted((k, r.version) for k, r in rows.items())),
                             sum(p.did("sent") for p in self.plans), self.values.published)
            if new_signature != signature:
                signature, last_change = new_signature, time.monotonic()
            window_over = self.clock.days_elapsed() >= self.o.window_days
            if (done == len(self.plans) and self._quiet() and window_over
                    and self.values.caught_up() and self.values.arrived()):
                break
            if (time.monotonic() - last_change > self.o.idle and self._quiet()
                    and window_over and not self._waiting_on_the_clock(rows)):
                break
            if now > self.o.limit:
                timed_out = True
                break
            time.sleep(self.o.tick)
        if outage and outage[1] < 0:
            self.d.world.kis.fail("none")
        last_day = self.values.close()  # the window's last day
        return Played(self.plans, time.monotonic() - start, timed_out, self.problems, outage,
                      self.clock, last_day, self.values)

    # -- disturbances --------------------------------------------------------------------------

    def _poison(self) -> None:
        for body in POISON[:self.o.poison]:
            self.d.publish_raw(body)

    def _outage(self, now: float, outage: tuple[float, float] | None
                ) -> tuple[float, float] | None:
        """kis goes down at ``outage_after`` and comes back ``outage_for`` later; (start,
        -1) while it is down."""
        if self.o.outage_after is None:
            return outage
        if outage is None and now >= self.o.outage_after:
            self.d.world.kis.fail("down")
            log.info("demo.kis_down", seconds=self.o.outage_for)
            return (now, -1.0)
        if outage is not None and outage[1] < 0 and now >= outage[0] + self.o.outage_for:
            self.d.world.kis.fail("none")
            log.info("demo.kis_back")
            return (outage[0], now)
        return outage

    def _waiting_on_the_clock(self, rows: dict[str, CaseRow]) -> bool:
        """A case not sent yet, or approved and waiting for its completion day."""
        return any(not p.did("sent") or (
            (row := rows.get(p.case_id)) is not None and row.status == "approved"
            and not p.did("completed")) for p in self.plans)

    def _quiet(self) -> bool:
        """No retry waiting and no work order left to move."""
        return bool(self.d.store.scheduled_count() == 0
                    and (not self._coordinator_ok or self.d.coordinator.open_orders() == 0))

    # -- the actors' round ---------------------------------------------------------------------

    def _round(self, rows: dict[str, CaseRow]) -> None:
        sent = 0
        elapsed = self.clock.days_elapsed()
        for plan in list(self.plans):
            if not plan.did("sent"):
                if sent >= self.o.wave or plan.arrival_day > elapsed:
                    continue  # its arrival day has not come
                sent += 1
            try:
                self._act(plan, rows.get(plan.case_id))
            except Exception as exc:  # an actor's call failed: say so, keep playing
                self._problem(f"{plan.case_id}: {type(exc).__name__}: {str(exc)[:160]}")
        self._advance_workorders()
        self.d.planners.advance()  # the grid owner's preparation (beredning) moves on
        self._swedish_market()
        if self._coordinator_ok:
            try:
                self.values.round(rows)
            except Exception as exc:  # the values failing must not stop the cases
                self._problem(f"metering values: {type(exc).__name__}: {str(exc)[:160]}")

    def _act(self, plan: Plan, row: CaseRow | None) -> None:
        if not plan.did("sent"):
            self._send(plan)
            return
        if row is None or row.status in FINAL:
            return
        status = row.status
        if status == "submitted":
            self._submitted(plan, row)
        elif status == "pre_rejected":
            self._pre_rejected(plan)
        elif status == "approved" and not self._due(plan, plan.cancel_after_approval):
            return  # the installer's work takes its days
        elif status == "approved" and plan.cancel_after_approval:
            if not plan.did("cancelled"):
                self.d.installer.cancel(plan.case_id)
                plan.done.append("cancelled")
        elif status == "approved" and not plan.did("completed"):
            self.d.installer.complete(plan.case, documents=() if plan.missing_documents
                                      else P0_DOCUMENTS)
            plan.done.append("completed")
        elif status == "completion_submitted":
            self._completion(plan)
        elif status == "completion_rejected" and not plan.did("recompleted"):
            self.d.installer.complete(plan.case, completion_only=plan.completion_only)
            plan.done.append("recompleted")

    def _due(self, plan: Plan, halfway: bool) -> bool:
        """Has the simulated clock passed the plan's completion day (counted from when the
        installer saw the approval)? ``halfway``: half of it (a cancellation while the meter
        job waits)."""
        now = self.clock.now()
        if plan.approved_at is None:
            plan.approved_at = now
        days = plan.completion_days / 2 if halfway else plan.completion_days
        due = plan.approved_at + timedelta(days=days)
        if not halfway:
            # A case approved late in the window (the outage's backlog) is completed at the
            # latest LAST_DAYS before its end: the slice holds its meter job, its market
            # activation and days of its values, not only its paperwork.
            due = min(due, max(self.clock.start + timedelta(
                days=self.o.window_days - LAST_DAYS), plan.approved_at))
        return now >= due

    def _send(self, plan: Plan) -> None:
        if plan.case.installation_type != "new_installation":
            # An existing facility is in the customer register; a new one is created there
            # by its registration once the meter is up.
            self.d.known_to_kis(plan.case)
        if plan.completion_only or plan.case.temporary_kind == "disconnect":
            self.d.known_to_datahub(plan.case)  # an existing meter is changed or taken down
            self.d.installer.complete(plan.case, completion_only=True)
        else:
            self.d.installer.submit(plan.case)
        plan.done.append("sent")

    def _submitted(self, plan: Plan, row: CaseRow) -> None:
        if plan.cancel and not plan.cancel_after_approval:
            if not plan.did("cancelled"):
                self.d.installer.cancel(plan.case_id)
                plan.done.append("cancelled")
            return
        waiting = bool(row.state.get("awaiting_decision"))
        round_ = f"decided{plan.done.count('resent')}"
        if not waiting or plan.did(round_):
            return
        if (plan.reject_pre or plan.wrong_type) and not plan.did("rejected"):
            self.d.handler.reject(plan.case_id, "Situationsplan saknas.",
                                  wrong_installation_type=plan.wrong_type)
            plan.done.append("rejected")
        else:
            self.d.handler.approve(plan.case_id)
        plan.done.append(round_)

    def _pre_rejected(self, plan: Plan) -> None:
        if plan.wrong_type:
            if not plan.did("copied"):
                copy = copy_for_new_type(plan)
                self.plans.append(copy)
                self._send(copy)
                self.d.installer.request_deletion(plan.case_id, replaced_by=copy.case_id)
                plan.done.append("copied")
        elif not plan.did("resent"):
            self.d.installer.resubmit(plan.case)
            plan.done.append("resent")

    def _completion(self, plan: Plan) -> None:
        # Every completion notice is reviewed; its approval releases the meter job.
        if plan.reject_completion and not plan.did("completion_rejected"):
            self.d.handler.reject_completion(plan.case_id)
            plan.done.append("completion_rejected")
        elif plan.did("completion_rejected") and not plan.did("recompleted"):
            return  # the store still shows the notice the handler has just rejected
        elif not plan.did(f"completion_approved{plan.done.count('recompleted')}"):
            self.d.handler.approve_completion(plan.case_id)
            plan.done.append(f"completion_approved{plan.done.count('recompleted')}")

    def _advance_workorders(self) -> None:
        if not self._coordinator_ok:
            return
        try:
            self.d.coordinator.advance()
        except Exception as exc:  # no event channel to the hub: the meter jobs stand still
            self._coordinator_ok = False
            self._problem(f"metering coordinator cannot publish events: {exc}")

    def _swedish_market(self) -> None:
        """A Swedish supplier's switch over Ediel on the first simulated day (Z03 in, KIS
        updated, Z04 to the new supplier and Z05 to the old one); from then on the point's
        quarter-hour values go to the new supplier every day, as UTILTS."""
        sim = getattr(self.d.world, "ediel", None)
        if sim is None or not self._coordinator_ok:
            return
        try:
            if self._se_market == "to do":
                sim.send_start(SE_POINT, self.clock.first_day)
                self.values.add(SE_POINT, "SE", SE_POINT, self.clock.first_day, asked=True)
                self._se_market = "switch sent"
        except Exception as exc:  # the Swedish part failing must not stop the rest
            self._problem(f"Swedish market (Ediel): {type(exc).__name__}: {str(exc)[:160]}")
            self._se_market = "failed"

    def _settled(self, plan: Plan, row: CaseRow | None) -> bool:
        return row is not None and row.status in FINAL

    def _problem(self, text: str) -> None:
        if text not in self.problems:
            self.problems.append(text)
            log.warning("demo.problem", problem=text)


def play(driver: Driver, plans: list[Plan], options: Options | None = None,
         progress: Progress | None = None) -> Played:
    return Scenario(driver, plans, options, progress).run()
