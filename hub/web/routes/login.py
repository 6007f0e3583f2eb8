"""Log in and out. A wrong name and a wrong password get one answer, after the same argon2
check ("wrong user name or password"), so neither the answer nor its timing tells who has an
account; the right password with no valid role says why (role expired on a date: ask an admin
to renew), because the person at 03:00 must know whom to call. Failed logins are throttled per
name and client address (hub/web/throttle.py)."""

from __future__ import annotations

import math
from datetime import datetime

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from hub.web.auth import check_csrf, session, web
from hub.web.templating import page
from hub.web.throttle import LoginThrottle, refusal

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    mine = session(request)
    if mine.user is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    notice, mine.notice = mine.notice, None
    return page(request, "login.html.j2", title="Log in", next=_safe_next(next), error=notice,
                username="")


@router.post("/login")
def login(request: Request, username: str = Form(""), password: str = Form(""),
          csrf_token: str = Form(""), next: str = Form("/")) -> Response:
    from hub.access import AccessDenied

    check_csrf(request, csrf_token)
    name, access = username.strip(), web(request).access
    throttle = LoginThrottle(web(request).store, clock=access.clock)
    client = request.client.host if request.client else "unknown"
    until = throttle.attempt(name, client)
    if until is not None:  # refused before the password is even checked
        return _locked(request, next, name, until)
    try:
        who = access.authenticate(name, password)
    except AccessDenied as exc:
        if exc.where == "login":  # a wrong name or password
            until = throttle.failed(name, client)
            if until is not None:
                return _locked(request, next, name, until)
        else:  # the right password, but no valid role: not a guess
            throttle.succeeded(name, client)
        return page(request, "login.html.j2", status_code=401, title="Log in",
                    next=_safe_next(next), error=str(exc), username=name)
    throttle.succeeded(name, client)
    # A new session id and CSRF token with the new identity (no session fixation).
    request.state.session = web(request).sessions.start(who.name)
    return RedirectResponse(_safe_next(next), status_code=303)


def _locked(request: Request, next: str, name: str, until: datetime) -> Response:
    response = page(request, "login.html.j2", status_code=429, title="Log in",
                    next=_safe_next(next), error=refusal(until), username=name)
    wait = max(1, math.ceil((until - web(request).access.clock()).total_seconds()))
    response.headers["Retry-After"] = str(wait)
    return response


@router.post("/logout")
def logout(request: Request, csrf_token: str = Form("")) -> Response:
    check_csrf(request, csrf_token)
    request.state.session = web(request).sessions.end(session(request),
                                                      notice="you are logged out")
    return RedirectResponse("/login", status_code=303)
