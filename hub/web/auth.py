"""Who is asking: a bearer token (machines) or a logged-in session (people), and may they.

Every request but ``/healthz`` and the login page needs one. Roles are read from the access
store on every request, so a revoked or expired role ends access at once, not at next login.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from fastapi import Request

from hub.web.session import Session

if TYPE_CHECKING:
    from hub.access import Action, Principal
    from hub.web.context import WebContext


class LoginRequired(Exception):
    """No valid credentials: a browser goes to the login page, a script gets 401."""

    def __init__(self, why: str = "log in first") -> None:
        super().__init__(why)
        self.why = why


class Forbidden(Exception):
    """Authenticated, but the roles do not allow the action: 403 naming what is missing."""


def web(request: Request) -> WebContext:
    context: WebContext = request.app.state.web
    return context


def session(request: Request) -> Session:
    found: Session = request.state.session
    return found


def current(request: Request) -> Principal:
    """The principal of ``request``; raises LoginRequired. Cached on the request."""
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    from hub.access import AccessDenied

    ctx = web(request)
    header = request.headers.get("authorization", "")
    try:
        if header.lower().startswith("bearer "):
            found = ctx.access.authenticate_token(header[7:].strip())
            request.state.via_token = True
        else:
            user = session(request).user
            if user is None:
                raise LoginRequired()
            found = ctx.access.principal(user)
    except AccessDenied as exc:
        if not header:
            # The session's user lost access (role expired or revoked): end the session in
            # the store and tell them why on the login page.
            request.state.session = ctx.sessions.end(session(request), notice=str(exc))
        raise LoginRequired(str(exc)) from None
    request.state.principal = found
    return found


def require(request: Request, action: Action) -> Principal:
    """The principal, if it may do ``action``; else Forbidden."""
    who = current(request)
    if not who.can(action):
        roles = ", ".join(sorted(str(r) for r in who.roles)) or "none"
        raise Forbidden(f"{who.name} may not {action} (roles: {roles}); ask an admin")
    return who


def check_csrf(request: Request, token: str | None) -> None:
    """Forms posted with a session cookie must carry the session's CSRF token. A request
    authenticated by a bearer token carries no cookie a third-party site could ride on."""
    if getattr(request.state, "via_token", False):
        return
    if not session(request).csrf_ok(token or request.headers.get("x-csrf-token")):
        raise Forbidden("the form's CSRF token is missing or stale: reload the page and retry")


def login_url(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"/login?next={quote(target, safe='')}"
