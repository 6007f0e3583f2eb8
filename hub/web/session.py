"""Browser sessions: the CSRF token, a notice, and the id of a login kept in the store.

The cookie holds a random CSRF token, a notice to show once, and, after login, the id of a
session kept in the store (``hub.access.sessions``), signed (itsdangerous) so it cannot be
forged. Who is logged in is read from the store on every request, so logout, a password
change, a revoked or expired role, the 8-hour idle limit and the 12-hour absolute limit end
the session at once, also for a copy of the cookie saved before. Roles are read from the
access store on every request too.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from hub.access.sessions import IDLE_LIMIT, Ended, LoginSessions

COOKIE = "gridhub_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
NOTICES = {
    Ended.idle: "your session expired after 8 hours without activity: log in again",
    Ended.absolute: "your session reached its 12-hour limit: log in again",
    Ended.ended: "your session was ended (logged out, password changed or access revoked): "
                 "log in again",
}


@dataclass
class Session:
    """One browser's session; ``user`` None until login (``sid``: the stored login)."""

    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    user: str | None = None
    notice: str | None = None  # why the last session ended, shown once on the login page
    sid: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"c": self.csrf, "s": self.sid, "n": self.notice}

    def csrf_ok(self, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(self.csrf, str(token))


class Sessions:
    """Load and sign sessions with ``secret``; logins live in ``logins`` (the store)."""

    def __init__(self, secret: str, logins: LoginSessions,
                 idle_limit: timedelta = IDLE_LIMIT) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="gridhub-web-session")
        self.logins = logins
        self.idle_limit = idle_limit

    def load(self, cookie: str | None) -> tuple[Session, str | None]:
        """The session in ``cookie``, or a fresh one and why the old one was not taken
        (a notice for the login page; None for no cookie or a bad signature)."""
        if not cookie:
            return Session(), None
        try:
            data = self._serializer.loads(cookie, max_age=int(self.idle_limit.total_seconds()))
        except SignatureExpired:
            return Session(), NOTICES[Ended.idle]
        except BadSignature:
            return Session(), None
        if not isinstance(data, dict) or not isinstance(data.get("c"), str):
            return Session(), None
        notice = data.get("n")
        session = Session(data["c"], notice=notice if isinstance(notice, str) else None)
        sid = data.get("s")
        if isinstance(sid, str):
            user, ended = self.logins.user_of(sid)
            if ended is not None:
                return Session(), NOTICES[ended]
            session.user, session.sid = user, sid
        return session, None

    def start(self, user: str) -> Session:
        """A new login of ``user``: a new id and a new CSRF token (nothing learnt before
        login works after it)."""
        return Session(user=user, sid=self.logins.start(user))

    def end(self, session: Session, notice: str | None = None) -> Session:
        """End ``session``'s login (if any); the anonymous session that follows it."""
        if session.sid is not None:
            self.logins.end(session.sid)
        return Session(notice=notice)

    def dump(self, session: Session) -> str:
        return str(self._serializer.dumps(session.as_dict()))
