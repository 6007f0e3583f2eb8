"""The demo's simulated business clock: weeks of a grid owner's work compressed into a run.

The actors of the demo (the installer, the handler, the metering coordinator, the suppliers)
act on this clock: an installer completes a case the number of simulated days after its
approval that the mix drew, the coordinator's meter is mounted at a simulated time, and a
metering point's values for day D are collected once the simulated clock has passed D. The
dates they put in what they send are simulated dates. The hub itself is not told about it:
its trace hops, retries, backoff and deadline judgement stay on the real clock, as in
production.

Which weeks: the ones starting at the real current date (07:00 Europe/Oslo, a working day's
start). So the simulated days lie today and after, and the hub's real-time judgement of
metering values (day D due at the datahub by 07:00 on D+1, Norwegian time) stays a real
signal: every day's values reach their target long before their deadline, and a "late" in the
summary would mean a real delay, not a date in the past. Weeks played in the past would make
every value late; weeks played further ahead would say nothing more.

    clock = SimClock.starting_today(day_seconds=1.0)  # one simulated day per real second
    clock.run()                                        # frozen at its start until then
    clock.now(), clock.today(), clock.day(3)
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Europe/Oslo")
"""The grid owners' local time (Norway and Sweden keep the same): what a "day" is."""
DAY = 86_400.0


@dataclass
class SimClock:
    """``start`` (an aware instant) advancing ``factor`` simulated seconds per real second
    once :meth:`run` is called. Monotonic: it follows ``time.monotonic``."""

    start: datetime
    factor: float
    _origin: float | None = field(default=None, repr=False)  # monotonic time of run()
    _wall: datetime | None = field(default=None, repr=False)  # wall time of run()

    def __post_init__(self) -> None:
        if self.start.tzinfo is None:
            raise ValueError("the clock's start needs a time zone")
        if self.factor <= 0:
            raise ValueError("the compression factor is positive")

    @classmethod
    def starting_today(cls, *, day_seconds: float, at: datetime | None = None) -> SimClock:
        """A clock starting at 07:00 local time on the real current date (``at``'s), one
        simulated day per ``day_seconds`` real seconds."""
        today = (at or datetime.now(UTC)).astimezone(LOCAL).date()
        return cls(datetime.combine(today, clock_time(7), LOCAL), DAY / day_seconds)

    @property
    def day_seconds(self) -> float:
        """Real seconds per simulated day."""
        return DAY / self.factor

    def run(self) -> SimClock:
        """Start the clock (idempotent): until then it stands at ``start``."""
        if self._origin is None:
            self._origin, self._wall = time.monotonic(), datetime.now(UTC)
        return self

    def now(self) -> datetime:
        """The simulated instant (aware, UTC)."""
        elapsed = 0.0 if self._origin is None else time.monotonic() - self._origin
        return (self.start + timedelta(seconds=elapsed * self.factor)).astimezone(UTC)

    __call__ = now  # a simulator takes the clock as a plain "() -> datetime"

    def today(self) -> date:
        """The simulated local date."""
        return self.now().astimezone(LOCAL).date()

    @property
    def first_day(self) -> date:
        return self.start.astimezone(LOCAL).date()

    def day(self, n: int) -> date:
        """The ``n``-th simulated day (0: the first)."""
        return self.first_day + timedelta(days=n)

    def days_elapsed(self) -> float:
        """Simulated days since the start, fractional."""
        return (self.now() - self.start).total_seconds() / DAY

    def simulated(self, wall: datetime) -> datetime:
        """The simulated instant at real (wall-clock) time ``wall``, e.g. a trace hop's."""
        if self._wall is None:
            return self.start.astimezone(UTC)
        elapsed = max(0.0, (wall - self._wall).total_seconds())
        return (self.start + timedelta(seconds=elapsed * self.factor)).astimezone(UTC)

    def days_between(self, earlier: datetime, later: datetime) -> float:
        """Simulated days between two real (wall-clock) instants."""
        return (later - earlier).total_seconds() * self.factor / DAY
