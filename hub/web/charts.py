"""Throughput and backlog over the last hour, from the trace, as inline SVG (no JS, no CDN).

The trace has no index on time, but its ids grow with time (rows are appended as hops
happen), so the start of the window is found by bisecting on the primary key: a few dozen
index lookups instead of a scan of the whole table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import escape

import sqlalchemy as sa

from hub.ops.db import reading
from hub.store import Store
from hub.store.tables import trace as t

WINDOW = timedelta(hours=1)
BUCKET = timedelta(minutes=1)
TERMINAL = ("delivered", "duplicate", "dead-lettered")  # a routed message leaves the backlog


@dataclass(frozen=True)
class Series:
    """Per-minute counts, oldest first; ``start`` is the first bucket's start."""

    start: datetime
    received: list[int]  # taken in by the hub
    delivered: list[int]  # delivered to a connector's target
    failed: list[int]  # dead-lettered
    backlog: list[int]  # routed but not yet delivered or dead-lettered, built up in the window

    @property
    def total_received(self) -> int:
        return sum(self.received)

    @property
    def total_delivered(self) -> int:
        return sum(self.delivered)

    @property
    def total_failed(self) -> int:
        return sum(self.failed)


def last_hour(store: Store, now: datetime | None = None) -> Series:
    """Counts per minute of the hour before ``now``."""
    end = (now or datetime.now(UTC)).replace(second=0, microsecond=0) + BUCKET
    start = end - WINDOW
    n = int(WINDOW / BUCKET)
    received, delivered, failed, net = ([0] * n for _ in range(4))
    with reading(store) as conn:
        counts = _counts(conn, _first_id_at_or_after(conn, start))
    for (minute, hop, targeted), count in counts.items():
        if not start <= minute < end:
            continue
        i = min(int((minute - start) / BUCKET), n - 1)
        if hop == "received":
            received[i] += count
        elif hop == "routed":
            net[i] += count
        elif targeted:  # the hub's own refusals have no target: never routed
            net[i] -= count
            if hop == "delivered":
                delivered[i] += count
            elif hop == "dead-lettered":
                failed[i] += count
        if hop == "dead-lettered" and not targeted:
            failed[i] += count
    return Series(start, received, delivered, failed, _running(net))


def _counts(conn: sa.Connection, first: int) -> dict[tuple[datetime, str, bool], int]:
    """Hops per (minute, hop, has a target) from trace id ``first`` on, counted in SQL: an
    hour of a busy hub is hundreds of thousands of rows, too many to bring into Python (a
    grown store's dashboard spent 200 ms on 45,000, issue 21). The window is given by id
    only: with ``at`` in the query too, an analyzed 4 M-row SQLite store planned a skip-scan
    of ix_trace_case_at over every case instead of the id range."""
    sqlite = conn.dialect.name == "sqlite"
    # SQLite keeps times as 'YYYY-MM-DD HH:MM:SS.ffffff' text: its first 16 are the minute.
    minute = sa.func.substr(t.c.at, 1, 16) if sqlite else sa.func.date_trunc("minute", t.c.at)
    targeted = t.c.target.is_not(None)
    stmt = (sa.select(minute.label("minute"), t.c.hop, targeted.label("targeted"),
                      sa.func.count().label("n"))
            .where(t.c.id >= first, t.c.hop.in_(("received", "routed", *TERMINAL)))
            .group_by(minute, t.c.hop, targeted))
    found: dict[tuple[datetime, str, bool], int] = {}
    for row in conn.execute(stmt):
        at = row.minute
        at = (datetime.fromisoformat(at).replace(tzinfo=UTC) if isinstance(at, str)
              else at.astimezone(UTC))
        found[(at, row.hop, bool(row.targeted))] = int(row.n)
    return found


def _running(net: Sequence[int]) -> list[int]:
    level, out = 0, []
    for change in net:
        level = max(level + change, 0)  # replays deliver what was routed before the window
        out.append(level)
    return out


def _first_id_at_or_after(conn: sa.Connection, start: datetime) -> int:
    lo = conn.scalar(sa.select(sa.func.min(t.c.id))) or 0
    hi = conn.scalar(sa.select(sa.func.max(t.c.id))) or 0
    while lo < hi:
        mid = (lo + hi) // 2
        row = conn.execute(sa.select(t.c.id, t.c.at).where(t.c.id >= mid)
                           .order_by(t.c.id).limit(1)).first()
        if row is None or row.at >= start:
            hi = mid
        else:
            lo = int(row.id) + 1
    # Rows of one batch may carry times a little out of id order: start a margin earlier.
    return max(lo - 1000, 0)


def svg_chart(title: str, lines: Sequence[tuple[str, Sequence[int], str]], start: datetime,
              width: int = 560, height: int = 150) -> str:
    """A line chart of per-minute ``lines`` (label, values, css colour) as an SVG element."""
    pad_l, pad_b, pad_t = 34, 18, 8
    plot_w, plot_h = width - pad_l - 6, height - pad_b - pad_t
    n = max((len(v) for _, v, _ in lines), default=1)
    top = max([1, *(max(v, default=0) for _, v, _ in lines)])
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title>",
             f'<line x1="{pad_l}" y1="{pad_t + plot_h}" x2="{pad_l + plot_w}" '
             f'y2="{pad_t + plot_h}" class="axis"/>',
             f'<text x="2" y="{pad_t + 8}" class="tick">{top}</text>',
             f'<text x="2" y="{pad_t + plot_h}" class="tick">0</text>']
    for k in range(0, 61, 15):  # time ticks every 15 minutes
        x = pad_l + plot_w * k / 60
        label = (start + timedelta(minutes=k)).strftime("%H:%M")
        anchor = "end" if k == 60 else "middle"
        parts.append(f'<text x="{x:.0f}" y="{height - 3}" class="tick" '
                     f'text-anchor="{anchor}">{label}</text>')
    for label, values, colour in lines:
        step = plot_w / max(n - 1, 1)
        points = " ".join(f"{pad_l + i * step:.1f},{pad_t + plot_h - plot_h * v / top:.1f}"
                          for i, v in enumerate(values))
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.8" '
                     f'points="{points}"><title>{escape(label)}</title></polyline>')
    parts.append("</svg>")
    return "".join(parts)


def charts(series: Series) -> dict[str, str]:
    """The dashboard's two charts, as markup."""
    return {
        "throughput": svg_chart("Messages per minute, last hour", [
            ("received", series.received, "#1f6feb"),
            ("delivered", series.delivered, "#2da44e"),
            ("dead-lettered", series.failed, "#cf222e")], series.start),
        "backlog": svg_chart("Backlog, last hour", [
            ("routed, not yet delivered", series.backlog, "#9a6700")], series.start),
    }
