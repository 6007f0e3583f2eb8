"""Metering values, complete and on time: which metering points have no values for a day
accepted by the datahub by the deadline (07:00 Europe/Oslo the next day).

The expected metering points are those the hub routed values for, through a route with a
deadline, on any of the ``window`` days up to and including the day asked about: a metering
point that delivered yesterday and not today is missing today. Each point is one of:

    on time         accepted by the target before the deadline (not listed)
    missing         no values for the day reached the hub
    not accepted    routed, not yet taken by the target (deadline still ahead)
    at risk         still retrying, and the next attempt is after the deadline
    retrying        still retrying, the next attempt before the deadline
    dead-lettered   refused for good: see ``gridhub dlq list --key GSRN``
    late            accepted, but after the deadline
    overdue         not accepted, and the deadline has passed
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from hub.metrics import NS
from hub.store import Store
from hub.store.deadlines import WatchRow, WatchState, for_days

WINDOW_DAYS = 7


@dataclass(frozen=True)
class Point:
    metering_point: str
    status: str
    detail: str


@dataclass
class Completeness:
    day: date
    due: datetime | None  # None when nothing was routed for the day at all
    expected: int
    on_time: int
    points: list[Point] = field(default_factory=list)  # every one not on time

    @property
    def complete(self) -> bool:
        return not self.points


def completeness(conn: sa.Connection, day: date, *, now: datetime | None = None,
                 window: int = WINDOW_DAYS, route: str | None = None) -> Completeness:
    now = now or datetime.now(UTC)
    rows = for_days(conn, (day - timedelta(days=window)).isoformat(), day.isoformat(), route)
    today: dict[str, list[WatchRow]] = defaultdict(list)
    for row in rows:
        if row.day == day.isoformat():
            today[row.case_id].append(row)
    expected = sorted({r.case_id for r in rows})
    due = min((r.due_at for rs in today.values() for r in rs), default=None)
    out = Completeness(day, due, len(expected), 0)
    for point in expected:
        status = _status(today.get(point, []), now)
        if status is None:
            out.on_time += 1
        else:
            out.points.append(Point(point, *status))
    return out


def _status(rows: Sequence[WatchRow], now: datetime) -> tuple[str, str] | None:
    if not rows:
        return "missing", "no values for the day reached the hub"
    if any(r.accepted_at is not None and not r.late for r in rows):
        return None
    accepted = [r for r in rows if r.accepted_at is not None]
    if accepted:
        first = min(accepted, key=lambda r: r.accepted_at or now)
        return "late", f"accepted {_at(first.accepted_at)}, due {_at(first.due_at)}"
    row = max(rows, key=lambda r: r.received_at)
    if row.state == WatchState.DEAD_LETTERED:
        return "dead-lettered", "refused for good: see gridhub dlq list --key with this GSRN"
    if row.state == WatchState.RETRYING and row.next_attempt_at is not None:
        kind = "at risk" if row.at_risk else "retrying"
        return kind, f"next attempt {_at(row.next_attempt_at)}, due {_at(row.due_at)}"
    if now > row.due_at:
        return "overdue", f"not accepted, due {_at(row.due_at)}"
    return "not accepted", f"routed {_at(row.received_at)}, due {_at(row.due_at)}"


def _at(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if value else "?"


def last_closed_day(now: datetime | None = None, hour: int = 7) -> date:
    """The latest day whose deadline (``hour``:00 Europe/Oslo the next day) has passed."""
    from zoneinfo import ZoneInfo

    local = (now or datetime.now(UTC)).astimezone(ZoneInfo("Europe/Oslo"))
    return local.date() - timedelta(days=1 if local.hour >= hour else 2)


class _CompletenessCollector(Collector):
    """Metering points without values accepted in time for the last closed day, per scrape."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def describe(self) -> list[Any]:
        return []

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from hub.ops.db import reading

        try:
            day = last_closed_day()
            with reading(self._store) as conn:
                found = completeness(conn, day)
        except Exception:  # the store is away: the state gauges say so; no stale number here
            return
        missing = GaugeMetricFamily(
            f"{NS}_metering_points_not_in_time", "Metering points whose values for the last "
            "closed day were not accepted by the datahub by the deadline, by status",
            labels=["day", "status"])
        for status in ("missing", "late", "dead-lettered", "at risk", "retrying", "overdue",
                       "not accepted"):
            missing.add_metric([day.isoformat(), status],
                               sum(1 for p in found.points if p.status == status))
        yield missing
        expected = GaugeMetricFamily(f"{NS}_metering_points_expected", "Metering points "
                                     "expected to deliver values for the last closed day",
                                     labels=["day"])
        expected.add_metric([day.isoformat()], found.expected)
        yield expected


def completeness_collector(store: Store) -> Collector:
    """The completeness gauges (``Metrics.registry.register`` it), read per scrape."""
    return _CompletenessCollector(store)
