"""Log in and out. A failed login says why (unknown user, wrong password, role expired on a
date: ask an admin to renew) because the person at 03:00 must know whom to call."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from hub.web.auth import check_csrf, session, web
from hub.web.session import Session
from hub.web.templating import page

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
    try:
        who = web(request).access.authenticate(username.strip(), password)
    except AccessDenied as exc:
        return page(request, "login.html.j2", status_code=401, title="Log in",
                    next=_safe_next(next), error=str(exc), username=username.strip())
    # A new CSRF token with the new identity: nothing learnt before login works after it.
    request.state.session = Session(user=who.name)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request, csrf_token: str = Form("")) -> Response:
    check_csrf(request, csrf_token)
    request.state.session = Session(notice="you are logged out")
    return RedirectResponse("/login", status_code=303)
