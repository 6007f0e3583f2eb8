"""Retry policy and the one pure backoff function.

A failed delivery is first retried immediately (``immediate`` times, in the worker, for blips),
then handed to the durable scheduler with a delay from :func:`compute_backoff`. The policy ends
when ``max_attempts`` or ``max_age`` is reached; then the message is dead-lettered.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator


class RetryPolicy(BaseModel):
    """How a route retries a transient failure. Times in seconds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    immediate: int = Field(default=1, ge=0, le=10, description="retries at once, in the worker")
    delayed: int = Field(default=6, ge=0, le=100, description="retries via the scheduler")
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
    def max_attempts(self) -> int:
        """All deliveries: the first, the immediate retries and the delayed ones."""
        return 1 + self.immediate + self.delayed


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
    if attempts >= policy.max_attempts:
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
    return Decision(RetryAction.LATER, due=now + timedelta(seconds=delay))
