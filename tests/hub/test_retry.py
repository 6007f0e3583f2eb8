import itertools
import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.retry import RetryPolicy, compute_backoff, decide, describe, schedule

T0 = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)


def test_backoff_grows_exponentially_without_jitter():
    delays = [compute_backoff(n, initial=2, multiplier=2, maximum=60, jitter=0) for n in (1, 2, 3)]
    assert delays == [2, 4, 8]


def test_backoff_is_capped():
    assert compute_backoff(20, initial=2, multiplier=2, maximum=60, jitter=0) == 60


@given(st.integers(1, 30), st.floats(0, 1))
def test_backoff_stays_within_jitter_band_and_cap(n, jitter):
    base = min(300.0, 1.5 * 2 ** (n - 1))
    d = compute_backoff(n, initial=1.5, multiplier=2, maximum=300, jitter=jitter,
                        rand=random.Random(n))
    assert base * (1 - jitter) - 1e-9 <= d <= min(300, base * (1 + jitter)) + 1e-9


def test_backoff_rejects_zero_retry_number():
    with pytest.raises(ValueError, match="counts from 1"):
        compute_backoff(0, initial=1, multiplier=2, maximum=5, jitter=0)


def test_decide_walks_immediate_then_delayed_then_dead():
    policy = RetryPolicy(immediate=2, delayed=2, initial_delay=10, jitter=0)
    actions = [decide(policy, a, T0, T0).action for a in range(1, 6)]
    assert actions == ["now", "now", "later", "later", "dead"]
    later = decide(policy, 3, T0, T0)
    assert later.due == T0 + timedelta(seconds=10)


def test_decide_gives_up_after_max_age():
    policy = RetryPolicy(immediate=0, delayed=50, max_age=60)
    decision = decide(policy, 2, T0, T0 + timedelta(seconds=61))
    assert decision.action == "dead" and "max_age" in decision.reason


def test_policy_refuses_max_delay_below_initial():
    with pytest.raises(ValueError, match="max_delay"):
        RetryPolicy(initial_delay=10, max_delay=5)


def test_the_default_policy_outlasts_a_restart_of_hours_and_ends_at_max_age():
    """The old default (delayed: 6 from 2 s, doubling) dead-lettered ~2 minutes after the
    first failure; now it retries every max_delay until max_age."""
    policy = RetryPolicy(jitter=0)
    at, attempts, tries = T0, 1, [T0]
    while (decision := decide(policy, attempts, T0, at)).action != "dead":
        at = at if decision.action == "now" else decision.due
        tries.append(at)
        attempts += 1
    gaps = [b - a for a, b in itertools.pairwise(tries)]
    assert max(gaps) == timedelta(minutes=5)  # backoff capped at max_delay
    # a target back after a three-hour restart is tried within five minutes
    assert any(timedelta(hours=3) <= t - T0 <= timedelta(hours=3, minutes=5) for t in tries)
    assert at - T0 == timedelta(hours=24)  # the last try exactly at max_age, not after it
    assert attempts == 297 and "max_age" in decision.reason


def test_a_retry_is_never_scheduled_past_max_age():
    policy = RetryPolicy(immediate=0, initial_delay=60, max_delay=600, max_age=1000, jitter=0)
    decision = decide(policy, 5, T0, T0 + timedelta(seconds=900))  # backoff: 600 s
    assert decision.due == T0 + timedelta(seconds=1000)


def test_a_count_still_ends_a_policy_that_sets_one():
    policy = RetryPolicy(immediate=0, delayed=3, jitter=0)
    assert [decide(policy, a, T0, T0).action for a in (1, 2, 3, 4)] == [
        "later", "later", "later", "dead"]


def test_the_schedule_matches_what_decide_does():
    policy = RetryPolicy(jitter=0)
    steps = schedule(policy)
    assert [s.attempts for s in steps[:4]] == [range(1, 2), range(2, 3), range(3, 4), range(4, 5)]
    assert [(s.delay, s.since_first) for s in steps[2:4]] == [(2, 2), (4, 6)]
    tail = steps[-1]
    assert (tail.attempts, tail.delay, tail.since_first) == (range(11, 298), 300, 86_400)


def test_describe_prints_attempt_delay_and_time_since_the_first_failure():
    lines = describe(RetryPolicy(immediate=2, delayed=2, initial_delay=10, jitter=0))
    assert [line.split() for line in lines] == [
        ["attempt", "delay", "since", "the", "first", "failure"],
        ["1", "-", "0s", "(the", "first", "failure)"],
        ["2", "at", "once", "0s"],
        ["3", "at", "once", "0s"],
        ["4", "10s", "10s"],
        ["5", "20s", "30s"],
        ["then", "dead", "letter:", "after", "2", "delayed", "retries"],
    ]
    assert describe(RetryPolicy())[-2].split() == ["11-297", "5m", "each", "1d"]
