"""Server-rendered pages: one Jinja2 environment (autoescaped), filters from hub.ops.render."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse

from hub.ops.render import age, clip, masked_text, number, when
from hub.ops.views import replicas
from hub.web.auth import current, session, web

TEMPLATES = Path(__file__).parent / "templates"


def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True)
    env.filters.update(when=when, age=age, clip=clip, number=number, masked=masked_text,
                       replicas=replicas)
    return env


def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render template ``name`` with what every page shows: who is logged in, the CSRF token,
    what they may do, and role-expiry warnings."""
    from hub.access import Action, Role

    ctx = web(request)
    who = getattr(request.state, "principal", None)
    if who is None and session(request).user is not None:
        try:
            who = current(request)
        except Exception:  # the login page of a user whose access just ended
            who = None
    warnings = []
    if who is not None and who.kind == "user":
        admin = Role.admin in who.roles
        warnings = [g for g in ctx.access.expiring(30) if admin or g.user == who.name]
    html = ctx.templates.get_template(name).render(
        request=request, who=who, csrf=session(request).csrf, expiring=warnings,
        csp_nonce=getattr(request.state, "csp_nonce", ""),
        may_replay=bool(who and who.can(Action.replay)),
        may_discard=bool(who and who.can(Action.discard)),
        may_pause=bool(who and who.can(Action.pause)),
        may_see_personal=bool(who and who.can(Action.see_personal_data)), **context)
    return HTMLResponse(html, status_code=status_code)
