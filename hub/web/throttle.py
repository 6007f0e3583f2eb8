"""Login throttling by user name and client address, with a slower backoff per name.

- Per name and client address: 5 failed logins within 15 minutes refuse that address for that
  name for 15 minutes (audited as ``login.lockout`` with the address). An attacker locks out
  only their own address: the account's owner, elsewhere, still logs in.
- Per name, from any address: the first 10 failures within an hour are free; each further try
  waits 1 s, then 2, 4, ... up to 60 s, before the next one is checked. Guessing one
  password from many addresses is held to about one try a minute, and the owner waits at most
  a minute, never 15.

A success resets both counts. Known and unknown names are counted alike, so a refusal says
nothing about who exists. Tries are counted when they start (under a row lock), so requests
sent in parallel, to one process or several, cannot check more passwords than the limits
allow. The client address is the connection's, or a trusted proxy's ``X-Forwarded-For``
(``web_trusted_proxies``): a client cannot choose it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
import structlog
from sqlalchemy.exc import IntegrityError

from hub.access.model import now_utc
from hub.access.tables import login_throttle as rows
from hub.ops.audit import AuditEntry, record
from hub.store import Store

log = structlog.get_logger(__name__)
MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
NAME_FREE = 10
NAME_WINDOW = timedelta(hours=1)
NAME_MAX_DELAY = timedelta(seconds=60)
ANY = "*"  # the client of the per-name row
ACTOR = "gridhub web"
_KEY_LENGTH = 200  # longer than any valid user name (120): a guess cannot bloat the table


def refusal(until: datetime) -> str:
    """What the login page says while a try is refused: the same for every name."""
    return (f"too many failed logins for this user name: login is refused until "
            f"{until:%H:%M:%S} UTC. Wait until then, or ask an admin if it was not you")


def name_delay(beyond: int) -> timedelta:
    """The wait after the ``beyond``-th failure past the free ones: 1 s, 2 s, 4 s, ... 60 s."""
    return min(timedelta(seconds=2 ** min(beyond - 1, 16)), NAME_MAX_DELAY)


class LoginThrottle:
    """Failed-login counts in ``store``. A login calls ``attempt`` before it checks the
    password, then ``failed`` or ``succeeded``."""

    def __init__(self, store: Store, *, clock: Callable[[], datetime] = now_utc) -> None:
        self.store = store
        self.clock = clock

    def attempt(self, name: str, client: str) -> datetime | None:
        """Count a login about to be checked; if it may not be checked now, until when."""
        try:
            return self._attempt(name, client)
        except IntegrityError:  # another process inserted a first try at the same time
            return self._attempt(name, client)

    def failed(self, name: str, client: str) -> datetime | None:
        """The counted try failed; when it locks ``client`` out for ``name``, until when."""
        at, key = self.clock(), _key(name)
        with self.store.engine.begin() as conn:
            row = _locked_row(conn, key, client)
            if row is None or row["failures"] < MAX_FAILURES or (
                    row["locked_until"] is not None and row["locked_until"] > at):
                return None
            until = at + LOCKOUT
            conn.execute(sa.update(rows).where(rows.c.user_name == key, rows.c.client == client)
                         .values(failures=0, window_start=at, locked_until=until))
            record(conn, [AuditEntry(
                actor=ACTOR, action="login.lockout", subject=f"user {key}",
                reason=f"{row['failures']} failed logins from {client} within "
                       f"{_minutes(WINDOW)} minutes: refused from there until "
                       f"{until.isoformat(timespec='seconds')}",
                detail={"failures": row["failures"], "locked_until": until.isoformat(),
                        "client": client}, at=at)])
        # No user name in the log (personal data): the audit log says whose.
        log.warning("login.locked", failures=row["failures"], minutes=_minutes(LOCKOUT))
        return until

    def succeeded(self, name: str, client: str) -> None:
        """The password was right: both counts start again."""
        with self.store.engine.begin() as conn:
            conn.execute(sa.delete(rows).where(rows.c.user_name == _key(name),
                                               rows.c.client.in_((client, ANY))))

    def _attempt(self, name: str, client: str) -> datetime | None:
        at, key = self.clock(), _key(name)
        with self.store.engine.begin() as conn:
            pair = _locked_row(conn, key, client)
            per_name = _locked_row(conn, key, ANY)
            refused = _refused(pair, at, MAX_FAILURES, WINDOW) or _waiting(per_name, at)
            if refused is not None:
                return refused
            _count(conn, key, client, pair, at, WINDOW, lambda n: None)
            _count(conn, key, ANY, per_name, at, NAME_WINDOW,
                   lambda n: at + name_delay(n - NAME_FREE) if n > NAME_FREE else None)
            if pair is None:
                self._forget_old(conn, at)
        return None

    def _forget_old(self, conn: sa.Connection, at: datetime) -> None:
        """Rows nobody needs any more: names guessed once, lockouts long over."""
        conn.execute(sa.delete(rows).where(
            rows.c.window_start <= at - max(WINDOW, LOCKOUT, NAME_WINDOW),
            sa.or_(rows.c.locked_until.is_(None), rows.c.locked_until <= at)))


def _waiting(row: Any, at: datetime) -> datetime | None:
    """Until when ``row`` is locked, if it is now."""
    if row is not None and row["locked_until"] is not None and row["locked_until"] > at:
        return row["locked_until"]  # type: ignore[no-any-return]
    return None


def _refused(row: Any, at: datetime, limit: int, window: timedelta) -> datetime | None:
    if row is None:
        return None
    if (locked := _waiting(row, at)) is not None:
        return locked
    if row["window_start"] > at - window and row["failures"] >= limit:
        # The tries of this window are all in flight: refuse until they are done.
        return row["window_start"] + window  # type: ignore[no-any-return]
    return None


def _count(conn: sa.Connection, key: str, client: str, row: Any, at: datetime,
           window: timedelta, lock: Callable[[int], datetime | None]) -> None:
    """One more try in ``row`` (a new window when the old one is over); ``lock(failures)``
    says until when the next try must wait."""
    if row is None:
        conn.execute(sa.insert(rows).values(user_name=key, client=client, failures=1,
                                            window_start=at, locked_until=lock(1)))
        return
    fresh = row["window_start"] <= at - window  # older tries no longer count
    failures = 1 if fresh else row["failures"] + 1
    conn.execute(sa.update(rows).where(rows.c.user_name == key, rows.c.client == client)
                 .values(failures=failures, window_start=at if fresh else row["window_start"],
                         locked_until=lock(failures)))


def _locked_row(conn: sa.Connection, key: str, client: str) -> Any:
    return conn.execute(sa.select(rows).where(
        rows.c.user_name == key, rows.c.client == client).with_for_update()).mappings().first()


def _key(name: str) -> str:
    return name.strip()[:_KEY_LENGTH]


def _minutes(span: timedelta) -> int:
    return int(span.total_seconds() // 60)
