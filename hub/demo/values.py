"""Metering values every simulated day for every metering point the demo puts in operation.

A point's values start on the day its meter was mounted (the metering coordinator's report,
stamped on the simulated clock) and come for every simulated day after, each day's once the
clock has passed it (the coordinator collects a day after midnight), until the run ends. They
go out once the point's market knows the point, as in the real world:

- Norway: the datahub has the point active (BRS-NO-121 accepted, then 122); the values go to
  Elhub (``metering-values-to-datahub``), a day's behind the others caught up at once.
- Sweden: no datahub; a day's values go to the supplier of that day over Ediel
  (``metering-values-to-supplier-se``). The demo's supplier (the Ediel simulator) notifies its
  move-in (a Z03) once the case is archived, when the customer register knows the facility;
  the grid owner's Z04 back tells both sides who supplies the point from its mounting day.

Which points: each facility of a new installation (a block's every facility) and a
plus customer's production point (in Sweden its values go to the supplier buying the
production, which notifies its own move-in there and gets a Z04 of its own, reason D). Not the
points of existing facilities (a fuse change, an extension, a rebuild): their values do not
depend on the case, and every one of them every day would be more messages than the demo's
minute holds (measured: a day of values costs the hub 15-25 ms of CPU per point).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from hub.demo.clock import LOCAL, SimClock
from hub.demo.driver import Driver
from hub.demo.mix import Plan
from hub.ops.db import reading
from hub.store import CaseRow
from hub.store.tables import trace as trace_t

VALUES = "meteringvalues.collected"

NEW_METER = "MALER_NYTT_ANLEGG"  # the coordinator's order type for a meter in a new facility
SE_PREFIX = "735999"
BUYER = "23456"  # the Ediel simulator's second supplier: it buys the plus customers' production


@dataclass
class Point:
    gsrn: str
    country: str
    case_id: str
    first_day: date  # its meter's mounting day: the first day with values
    next_day: date  # the next day whose values are still to go
    ready: bool = False  # its market knows it
    asked: bool = False  # Sweden: the supplier's start of supply sent
    production: bool = False  # a plus customer's production point (fed-in values)


class DailyValues:
    """The metering coordinator's daily collection, one round at a time."""

    def __init__(self, driver: Driver, clock: SimClock, plans: list[Plan],
                 cap: int | None = None, *, last_day: date | None = None) -> None:
        self.d = driver
        self.clock = clock
        self.last_day = last_day  # the window's last day: no values after it
        self.plans = plans  # the scenario's list (copies are appended to it)
        self.cap = cap  # at most this many points get values (None: every one)
        self.points: dict[str, Point] = {}
        self.sent: Counter[str] = Counter()  # point-days published per country
        self._seen_orders: set[str] = set()
        self._received = 0  # how far the supplier's mailbox was read

    def add(self, gsrn: str, country: str, case_id: str, first_day: date,
            *, ready: bool = False, asked: bool = False, production: bool = False) -> None:
        if gsrn in self.points or (self.cap is not None and len(self.points) >= self.cap):
            return
        self.points[gsrn] = Point(gsrn, country, case_id, first_day, first_day, ready, asked,
                                  production)

    def round(self, rows: dict[str, CaseRow]) -> None:
        self._mounted()
        self._ask_suppliers(rows)
        self._known_to_market()
        self._publish()

    def _until(self) -> date:
        """The day after the last day whose values are due now: yesterday's are."""
        today = self.clock.today()
        return today if self.last_day is None else min(today, self.last_day + timedelta(days=1))

    def caught_up(self) -> bool:
        """Every point's values are out up to yesterday (simulated) or the window's end."""
        until = self._until()
        return all(p.ready and p.next_day >= until for p in self.points.values()
                   if p.first_day < until or p.asked)

    @property
    def published(self) -> int:
        return sum(self.sent.values())

    def arrived(self) -> bool:
        """The hub has taken in every day of values published so far. The coordinator's
        event queue is not the hub's, so the drain after the play does not see what is
        still in it: the play ends only once this holds."""
        with reading(self.d.store) as conn:
            received = conn.scalar(sa.select(sa.func.count(sa.distinct(trace_t.c.message_id)))
                                   .where(trace_t.c.hop == "received",
                                          trace_t.c.type == VALUES))
        return int(received or 0) >= self.published

    # -- the steps -----------------------------------------------------------------------------

    def _mounted(self) -> None:
        """New points from the coordinator's reports of a meter in a new facility."""
        for order in self.d.coordinator.reported():
            if order["workOrderId"] in self._seen_orders or order.get("orderType") != NEW_METER:
                continue
            self._seen_orders.add(order["workOrderId"])
            gsrn = str((order.get("meteringPoint") or {}).get("gsrn") or "")
            if not gsrn:
                continue
            day = _local_day(order["updatedAt"])
            country = "SE" if gsrn.startswith(SE_PREFIX) else "NO"
            case_id = str(order.get("externalRef") or "")
            self.add(gsrn, country, case_id, day)
            production = self._production_point(gsrn)
            if production is not None:
                # the plus customer's production point: the same meter, the other direction
                self.add(production, country, case_id, day, production=True)

    def _production_point(self, gsrn: str) -> str | None:
        for plan in self.plans:
            for fac in plan.case.facilities:
                if fac.facility_id is not None and fac.facility_id.reveal() == gsrn:
                    return fac.production_id.reveal() if fac.production_id else None
        return None

    def _ask_suppliers(self, rows: dict[str, CaseRow]) -> None:
        """Sweden: once the case is archived (the customer register has the facility), the
        customer's supplier notifies its move-in from the mounting day."""
        for point in self.points.values():
            row = rows.get(point.case_id)
            if point.country != "SE" or point.asked or row is None or row.status != "archived":
                continue
            if self.last_day is not None and point.first_day > self.last_day:
                continue  # mounted after the window: no day of it to collect
            # a production point's move-in comes from the supplier buying the production
            self.d.world.ediel.send_start(point.gsrn, point.first_day, reason="Z23",
                                          **({"supplier": BUYER} if point.production else {}))
            point.asked = True

    def _known_to_market(self) -> None:
        waiting = [p for p in self.points.values() if not p.ready]
        if not waiting:
            return
        datahub = self.d.world.elhub.hub.metering_points
        for point in waiting:
            if point.country == "NO":
                point.ready = (datahub.get(point.gsrn) or {}).get("status") == "active"
        swedish = [p for p in waiting if p.country == "SE" and p.asked]
        if not swedish:
            return
        received = self.d.world.ediel.snapshot()["received"]
        # only the mailbox's new interchanges: a Z04 naming a point we wait for
        for item in received[self._received:]:
            if "Z04" in item.get("functions", []):
                for point in swedish:
                    point.ready = point.ready or point.gsrn in item["raw"]
        self._received = len(received)

    def _publish(self) -> None:
        until = self._until()
        for point in self.points.values():
            while point.ready and point.next_day < until:
                self.d.coordinator.publish_values(point.gsrn, point.next_day)
                self.sent[point.country] += 1
                point.next_day += timedelta(days=1)

    def close(self, wait: float = 15.0) -> date:
        """The end of the run: the last day with values (the window's, or yesterday), once
        the hub has taken in the last ones (at most ``wait`` seconds)."""
        self._publish()
        end = time.monotonic() + wait
        while not self.arrived() and time.monotonic() < end:
            time.sleep(0.1)
        return self._until() - timedelta(days=1)

    def expected(self, last_day: date) -> dict[str, list[date]]:
        """Per point, the days that should have values up to ``last_day``."""
        return {p.gsrn: [p.first_day + timedelta(days=n)
                         for n in range((last_day - p.first_day).days + 1)]
                for p in self.points.values()}


def _local_day(stamp: Any) -> date:
    at = stamp if isinstance(stamp, datetime) else datetime.fromisoformat(
        str(stamp).replace("Z", "+00:00"))
    return at.astimezone(LOCAL).date()
