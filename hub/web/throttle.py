"""Login throttling: after 5 failed logins for one user name within 15 minutes, that name's
login is refused for 15 minutes; a successful login resets the count.

Counted per user name, known or not, so the refusal says nothing about who exists. Kept in
the store (``access_login_failure``) so a lockout holds across restarts and every web
process; each lockout is audited (``login.lockout``) with the client address.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
import structlog
from sqlalchemy.exc import IntegrityError

from hub.access.model import now_utc
from hub.access.tables import login_failures
from hub.ops.audit import AuditEntry, record
from hub.store import Store

log = structlog.get_logger(__name__)
MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
ACTOR = "gridhub web"
_KEY_LENGTH = 200  # longer than any valid user name (120): a guess cannot bloat the table


def refusal(until: datetime) -> str:
    """What the login page says during a lockout: the same for every name."""
    return (f"too many failed logins for this user name: login is refused until "
            f"{until:%H:%M} UTC. Wait until then, or ask an admin if it was not you")


class LoginThrottle:
    """Failed-login counts per user name, in ``store``.

    A login calls ``attempt`` before it checks the password, then ``failed`` or
    ``succeeded``. ``attempt`` counts the try at once (in the row, under a row lock), so
    requests sent in parallel, to one process or several, check at most ``max_failures``
    passwords per window: not one per request in flight."""

    def __init__(self, store: Store, *, clock: Callable[[], datetime] = now_utc,
                 max_failures: int = MAX_FAILURES, window: timedelta = WINDOW,
                 lockout: timedelta = LOCKOUT) -> None:
        self.store = store
        self.clock = clock
        self.max_failures = max_failures
        self.window = window
        self.lockout = lockout

    def locked_until(self, name: str) -> datetime | None:
        """When the lockout of ``name`` ends, if it is locked now."""
        at = self.clock()
        with self.store.engine.connect() as conn:
            until = conn.scalar(sa.select(login_failures.c.locked_until).where(
                login_failures.c.user_name == _key(name)))
        return until if until is not None and until > at else None

    def attempt(self, name: str) -> datetime | None:
        """Count a login about to be checked; if ``name`` may not try now, when it may."""
        try:
            return self._attempt(name)
        except IntegrityError:  # another process inserted the first try at the same time
            return self._attempt(name)

    def failed(self, name: str, *, client: str | None = None) -> datetime | None:
        """The counted try failed; when this failure locks the name, when the lockout ends."""
        at, key = self.clock(), _key(name)
        with self.store.engine.begin() as conn:
            row = _locked_row(conn, key)
            if row is None or row["failures"] < self.max_failures or (
                    row["locked_until"] is not None and row["locked_until"] > at):
                return None
            until = at + self.lockout
            conn.execute(sa.update(login_failures).where(login_failures.c.user_name == key)
                         .values(failures=0, window_start=at, locked_until=until))
            record(conn, [AuditEntry(
                actor=ACTOR, action="login.lockout", subject=f"user {key}",
                reason=f"{row['failures']} failed logins within {_minutes(self.window)} "
                       f"minutes: login refused until {until.isoformat(timespec='seconds')}",
                detail={"failures": row["failures"], "locked_until": until.isoformat(),
                        "client": client}, at=at)])
        # No user name in the log (personal data): the audit log says whose.
        log.warning("login.locked", failures=row["failures"], minutes=_minutes(self.lockout))
        return until

    def succeeded(self, name: str) -> None:
        """The password was right: the count starts again."""
        with self.store.engine.begin() as conn:
            conn.execute(sa.delete(login_failures).where(
                login_failures.c.user_name == _key(name)))

    def _attempt(self, name: str) -> datetime | None:
        at, key = self.clock(), _key(name)
        with self.store.engine.begin() as conn:
            row = _locked_row(conn, key)
            if row is None:
                conn.execute(sa.insert(login_failures).values(
                    user_name=key, failures=1, window_start=at, locked_until=None))
                self._forget_old(conn, at)
                return None
            if row["locked_until"] is not None and row["locked_until"] > at:
                return row["locked_until"]
            fresh = row["window_start"] <= at - self.window  # older tries no longer count
            if not fresh and row["failures"] >= self.max_failures:
                # The tries of this window are all in flight: refuse until they are done.
                return row["window_start"] + self.window
            conn.execute(sa.update(login_failures).where(login_failures.c.user_name == key)
                         .values(failures=1 if fresh else row["failures"] + 1,
                                 window_start=at if fresh else row["window_start"],
                                 locked_until=None))
        return None

    def _forget_old(self, conn: sa.Connection, at: datetime) -> None:
        """Rows nobody needs any more: names guessed once, lockouts long over."""
        conn.execute(sa.delete(login_failures).where(
            login_failures.c.window_start <= at - max(self.window, self.lockout),
            sa.or_(login_failures.c.locked_until.is_(None),
                   login_failures.c.locked_until <= at)))


def _locked_row(conn: sa.Connection, key: str) -> Any:
    return conn.execute(sa.select(login_failures).where(
        login_failures.c.user_name == key).with_for_update()).mappings().first()


def _key(name: str) -> str:
    return name.strip()[:_KEY_LENGTH]


def _minutes(span: timedelta) -> int:
    return int(span.total_seconds() // 60)
