"""Access tests: the ops tests' real stores (SQLite file, PostgreSQL schema) and a clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher

from hub.access import Access
from hub.store import Store
from tests.hub.ops.conftest import pg_schema_url, store  # noqa: F401 - fixtures reused

START = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves: role expiry is a year, not a wait."""

    def __init__(self, at: datetime = START) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


def cheap_hasher() -> PasswordHasher:
    """Real argon2id, with parameters small enough for fast tests."""
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def access(store: Store, clock: Clock) -> Access:  # noqa: F811 - the reused fixture
    a = Access(store, clock=clock, hasher=cheap_hasher())
    a.ensure_tables()
    return a
