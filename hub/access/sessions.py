"""Web sessions kept in the store, so that ending one ends it everywhere at once.

The browser's cookie carries a random session id; the store keeps its SHA-256, the user, when
it began and when it was last used. A session ends when its row is gone: at logout, when the
user's password is set, when a role of theirs is revoked or has expired (the web ends it on
the first request that finds no valid role), after ``IDLE_LIMIT`` without a request, and at
the latest ``ABSOLUTE_LIMIT`` after login however active it was.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa

from hub.access.model import now_utc
from hub.access.tables import sessions
from hub.store import Store

IDLE_LIMIT = timedelta(hours=8)
# One long shift; OWASP's session guidance asks for an absolute limit besides the idle one.
ABSOLUTE_LIMIT = timedelta(hours=12)
# last_seen_at is written at most this often: not one write per page view.
TOUCH_EVERY = timedelta(minutes=1)


class Ended(StrEnum):
    """Why a session id no longer logs anyone in."""

    idle = "idle"  # IDLE_LIMIT without a request
    absolute = "absolute"  # ABSOLUTE_LIMIT after login
    ended = "ended"  # logged out, password set, role revoked, or never known


class LoginSessions:
    """The store's sessions, on ``clock`` (the access clock: tests move it)."""

    def __init__(self, store: Store, *, clock: Callable[[], datetime] = now_utc,
                 idle_limit: timedelta = IDLE_LIMIT,
                 absolute_limit: timedelta = ABSOLUTE_LIMIT) -> None:
        self.store = store
        self.clock = clock
        self.idle_limit = idle_limit
        self.absolute_limit = absolute_limit

    def start(self, user: str) -> str:
        """A new session of ``user``; the id for the cookie (shown only here)."""
        sid = secrets.token_urlsafe(32)
        at = self.clock()
        with self.store.engine.begin() as conn:
            self._forget_old(conn, at)
            conn.execute(sa.insert(sessions).values(
                id_hash=_hash(sid), user_name=user, created_at=at, last_seen_at=at))
        return sid

    def user_of(self, sid: str) -> tuple[str | None, Ended | None]:
        """(the user of session ``sid``, None) while it lasts, else (None, why not). A live
        session's idle clock starts again."""
        at, key = self.clock(), _hash(sid)
        with self.store.engine.begin() as conn:
            row = conn.execute(sa.select(sessions).where(
                sessions.c.id_hash == key)).mappings().first()
            if row is None:
                return None, Ended.ended
            why = None
            if at >= row["created_at"] + self.absolute_limit:
                why = Ended.absolute
            elif at >= row["last_seen_at"] + self.idle_limit:
                why = Ended.idle
            if why is not None:
                conn.execute(sa.delete(sessions).where(sessions.c.id_hash == key))
                return None, why
            if at - row["last_seen_at"] >= TOUCH_EVERY:
                conn.execute(sa.update(sessions).where(sessions.c.id_hash == key)
                             .values(last_seen_at=at))
        return str(row["user_name"]), None

    def end(self, sid: str) -> None:
        """Logout: the id logs nobody in any more."""
        with self.store.engine.begin() as conn:
            conn.execute(sa.delete(sessions).where(sessions.c.id_hash == _hash(sid)))

    def _forget_old(self, conn: sa.Connection, at: datetime) -> None:
        """Sessions nobody can use any more (their browsers never came back)."""
        conn.execute(sa.delete(sessions).where(sa.or_(
            sessions.c.last_seen_at <= at - self.idle_limit,
            sessions.c.created_at <= at - self.absolute_limit)))


def end_sessions(conn: sa.Connection, user: str) -> int:
    """End every session of ``user``, in the caller's transaction; how many there were."""
    return int(conn.execute(sa.delete(sessions).where(sessions.c.user_name == user)).rowcount)


def _hash(sid: str) -> str:
    # A plain hash is enough: the id is 256 random bits, not a password to guess.
    return hashlib.sha256(sid.encode()).hexdigest()
