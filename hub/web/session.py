"""Signed cookie sessions: who is logged in, the CSRF token, and the idle timeout.

The cookie holds only the user name and a random CSRF token, signed (itsdangerous) so it
cannot be forged. It is signed again on every request, and a signature older than the idle
limit is refused: eight hours without a request ends the session. The user's roles are not in
the cookie: they are read from the access store on every request, so a revoked or expired role
takes effect at once.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

COOKIE = "gridhub_session"
IDLE_LIMIT = timedelta(hours=8)
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


@dataclass
class Session:
    """One browser's session; ``user`` None until login."""

    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    user: str | None = None
    notice: str | None = None  # why the last session ended, shown once on the login page

    def as_dict(self) -> dict[str, Any]:
        return {"c": self.csrf, "u": self.user, "n": self.notice}

    def csrf_ok(self, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(self.csrf, str(token))


class Sessions:
    """Load and sign sessions with ``secret`` (keep it stable across restarts to keep users
    logged in; a random one logs everybody out when the process restarts)."""

    def __init__(self, secret: str, idle_limit: timedelta = IDLE_LIMIT) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="gridhub-web-session")
        self.idle_limit = idle_limit

    def load(self, cookie: str | None) -> tuple[Session, str | None]:
        """The session in ``cookie``, or a fresh one and why the old one was not taken
        ("expired" after the idle limit; None for no cookie or a bad signature)."""
        if not cookie:
            return Session(), None
        try:
            data = self._serializer.loads(cookie, max_age=int(self.idle_limit.total_seconds()))
        except SignatureExpired:
            return Session(), "expired"
        except BadSignature:
            return Session(), None
        if not isinstance(data, dict) or not isinstance(data.get("c"), str):
            return Session(), None
        user = data.get("u")
        notice = data.get("n")
        return Session(data["c"], user if isinstance(user, str) else None,
                       notice if isinstance(notice, str) else None), None

    def dump(self, session: Session) -> str:
        return str(self._serializer.dumps(session.as_dict()))
