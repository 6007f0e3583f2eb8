import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.retry import RetryPolicy, compute_backoff, decide

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
