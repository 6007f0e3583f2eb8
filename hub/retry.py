"""Retry policy and the one pure backoff function.

A failed delivery is first retried immediately (``immediate`` times, in the worker, for blips),
then handed to the durable scheduler with a delay from :func:`compute_backoff`. The policy ends
``max_age`` after the first failure (or after ``delayed`` retries, when a route sets a count);
then the message is dead-lettered. The default keeps trying for a day, every ``max_delay`` once
the backoff reaches it, so a target's restart or a night's maintenance dead-letters nothing.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator


class RetryPolicy(BaseModel):
    """How a route retries a transient failure. Times in seconds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    immediate: int = Field(default=1, ge=0, le=10, description="retries at once, in the worker")
    # None: as many as fit in max_age. A count made the old default (6 from 2 s, doubling) give
    # up after about two minutes, long before max_delay or max_age were ever reached.
    delayed: int | None = Field(default=None, ge=0, le=100,
                                description="retries via the scheduler (None: until max_age)")
    initial_delay: float = Field(default=2.0, gt=0, description="first delayed retry after")
    multiplier: float = Field(default=2.0, ge=1.0)
    max_delay: float = Field(default=300.0, gt=0)
    jitter: float = Field(default=0.2, ge=0.0, le=1.0, description="± share of the delay")
    max_age: float = Field(default=86_400.0, gt=0,
                           description="give up this long after the first failure")

    @model_validator(mode="after")
    def _delays_ordered(self) -> RetryPolicy:
        if self.max_delay < self.initial_delay:
            raise ValueError("max_delay must be at least initial_delay")
        return self

    @property
    def max_attempts(self) -> int | None:
        """All deliveries: the first, the immediate retries and the delayed ones (None: no
        count, ``max_age`` ends the policy)."""
        return None if self.delayed is None else 1 + self.immediate + self.delayed


DEFAULT_POLICY = RetryPolicy()


def compute_backoff(
    delayed_retry: int,
    *,
    initial: float,
    multiplier: float,
    maximum: float,
    jitter: float,
    rand: random.Random | None = None,
) -> float:
    """Seconds to wait before delayed retry number ``delayed_retry`` (1-based), jittered.

    Exponential (initial · multiplier^(n-1)), capped at ``maximum``, then spread by ±jitter so
    that many messages failing together do not all come back in the same instant.
    """
    if delayed_retry < 1:
        raise ValueError("delayed_retry counts from 1")
    base = min(maximum, initial * multiplier ** (delayed_retry - 1))
    spread = base * jitter
    r = (rand or random).uniform(-spread, spread)
    return max(0.0, min(maximum, base + r))


class RetryAction(StrEnum):
    """What to do after a failed attempt."""

    NOW = "now"  # retry at once (the policy's ``immediate`` tries)
    LATER = "later"  # schedule a retry at ``Decision.due``
    DEAD = "dead"  # give up: dead letter


@dataclass(frozen=True)
class Decision:
    """What to do after a failed attempt: retry now, retry at ``due``, or give up."""

    action: RetryAction
    due: datetime | None = None
    reason: str = ""


def decide(
    policy: RetryPolicy,
    attempts: int,
    first_failure: datetime,
    now: datetime,
    *,
    rand: random.Random | None = None,
) -> Decision:
    """Given ``attempts`` deliveries made so far (all failed, transiently), what next."""
    limit = policy.max_attempts
    if limit is not None and attempts >= limit:
        return Decision(RetryAction.DEAD, reason=f"retries exhausted after {attempts} attempts")
    if (now - first_failure).total_seconds() >= policy.max_age:
        return Decision(RetryAction.DEAD, reason=f"gave up after max_age {policy.max_age:g}s")
    if attempts <= policy.immediate:
        return Decision(RetryAction.NOW)
    delay = compute_backoff(
        attempts - policy.immediate,
        initial=policy.initial_delay,
        multiplier=policy.multiplier,
        maximum=policy.max_delay,
        jitter=policy.jitter,
        rand=rand,
    )
    # The last retry is at max_age, not up to max_delay after it: the dead letter comes when
    # the policy says.
    deadline = first_failure + timedelta(seconds=policy.max_age)
    return Decision(RetryAction.LATER, due=min(now + timedelta(seconds=delay), deadline))


@dataclass(frozen=True)
class Step:
    """Deliveries of a retry schedule, nominal (each delay varies by ± jitter): ``attempts``
    are delivery numbers (1 = the first delivery), several when the delay repeats."""

    attempts: range
    delay: float  # seconds before each of them
    since_first: float  # seconds from the first failure to the last of them


def schedule(policy: RetryPolicy) -> list[Step]:
    """When each delivery of a message that keeps failing happens, until it is dead-lettered.
    The flat tail (every ``max_delay``) is one step, so a day of retries stays short."""
    steps = [Step(range(1, 2), 0.0, 0.0)]
    for attempt in range(2, 2 + policy.immediate):
        steps.append(Step(range(attempt, attempt + 1), 0.0, 0.0))
    attempt, since, n = 1 + policy.immediate, 0.0, 0
    while (policy.delayed is None or n < policy.delayed) and since < policy.max_age:
        n += 1
        delay = min(policy.max_delay, policy.initial_delay * policy.multiplier ** (n - 1))
        if min(policy.max_delay, delay * policy.multiplier) == delay:  # stops growing here
            count = math.ceil((policy.max_age - since) / delay)
            if policy.delayed is not None:
                count = min(count, policy.delayed - n + 1)
            end = min(since + count * delay, policy.max_age)
            steps.append(Step(range(attempt + 1, attempt + 1 + count), delay, end))
            break
        delay = min(delay, policy.max_age - since)  # the last retry is at max_age
        attempt, since = attempt + 1, since + delay
        steps.append(Step(range(attempt, attempt + 1), delay, since))
    return steps


def describe(policy: RetryPolicy) -> list[str]:
    """The schedule as lines for a person (``gridhub routes check --verbose``)."""
    lines = [f"  {'attempt':<10} {'delay':<14} since the first failure"]
    steps = schedule(policy)
    for step in steps:
        first, last = step.attempts[0], step.attempts[-1]
        number = str(first) if first == last else f"{first}-{last}"
        if first == 1:
            delay = "-"
        elif step.delay == 0:
            delay = "at once"
        else:
            delay = duration(step.delay) + ("" if first == last else " each")
        since = "0s (the first failure)" if first == 1 else duration(step.since_first)
        lines.append(f"  {number:<10} {delay:<14} {since}")
    final = steps[-1].attempts[-1]
    by_count = policy.max_attempts is not None and final >= policy.max_attempts
    why = (f"after {policy.delayed} delayed retries" if by_count
           else f"max_age {duration(policy.max_age)} after the first failure")
    jitter = f"; delays ±{policy.jitter:.0%}" if policy.jitter else ""
    lines.append(f"  then dead letter: {why}{jitter}")
    return lines


def duration(seconds: float) -> str:
    """``90`` -> ``1m 30s``; two units at most."""
    if seconds < 60:
        return f"{seconds:g}s"
    parts = []
    rest = round(seconds)
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)):
        if rest >= size:
            parts.append(f"{rest // size}{unit}")
            rest %= size
    return " ".join(parts[:2])
