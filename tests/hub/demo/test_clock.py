"""The demo's simulated clock: compressed, monotonic, starting on the real current date."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from hub.demo.clock import LOCAL, SimClock


def test_the_clock_stands_until_it_runs_then_compresses_time():
    clock = SimClock.starting_today(day_seconds=0.5)
    assert clock.now() == clock.start.astimezone(UTC)  # frozen before run()
    assert clock.factor == pytest.approx(86_400 / 0.5)
    clock.run()
    before = time.monotonic()
    time.sleep(0.25)
    real = time.monotonic() - before
    # at least the real time slept, times the factor: about half a simulated day
    assert clock.days_elapsed() >= real / 0.5
    assert clock.days_elapsed() < 0.5 + 0.4  # not a day more than asked (a loaded machine)


def test_the_clock_is_monotonic_and_its_days_are_local():
    clock = SimClock.starting_today(day_seconds=0.01).run()
    seen = [clock.now() for _ in range(200)]
    assert seen == sorted(seen)
    time.sleep(0.05)
    assert clock.today() > clock.first_day  # several simulated days passed
    assert clock.day(3) - clock.first_day == timedelta(days=3)


def test_it_starts_on_the_real_current_date_at_seven_local():
    real = datetime(2026, 12, 3, 23, 30, tzinfo=UTC)  # already 4 December in Oslo
    clock = SimClock.starting_today(day_seconds=1, at=real)
    assert clock.start.astimezone(LOCAL).isoformat() == "2026-12-04T07:00:00+01:00"
    assert clock.first_day.isoformat() == "2026-12-04"


def test_real_instants_map_to_simulated_days():
    clock = SimClock.starting_today(day_seconds=2.0).run()
    a = datetime.now(UTC)
    assert clock.days_between(a, a + timedelta(seconds=6)) == pytest.approx(3.0)
    assert clock.simulated(a + timedelta(seconds=4)) - clock.simulated(a) == \
        pytest.approx(timedelta(days=2), abs=timedelta(seconds=1))


def test_a_clock_needs_a_zone_and_a_positive_factor():
    with pytest.raises(ValueError):
        SimClock(datetime(2026, 12, 3, 7), 10.0)
    with pytest.raises(ValueError):
        SimClock(datetime(2026, 12, 3, 7, tzinfo=UTC), 0)
