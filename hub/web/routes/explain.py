"""The case page's "why (not)?": paste a message, see every route that takes it, whether it
applies to the case as it stands, each condition's verdict and the value it saw (the same
explanation as `gridhub routes explain MESSAGE --case ID`)."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from hub import codec
from hub.errors import ConfigurationError, InvalidMessage
from hub.ops.explain import explain_for_case
from hub.routes import load_routes
from hub.routes.explain import render
from hub.web.auth import check_csrf, current, web
from hub.web.templating import page

router = APIRouter()
MAX_MESSAGE = 1_000_000  # a pasted message; the hub's own messages are far smaller


@router.post("/trace/explain")
def trace_explain(request: Request, case_id: str = Form(""), message: str = Form(""),
                  csrf_token: str = Form("")) -> Response:
    check_csrf(request, csrf_token)
    current(request)
    ctx = web(request)
    case_id = case_id.strip()
    if not case_id or not message.strip() or len(message) > MAX_MESSAGE:
        return page(request, "error.html.j2", status_code=400, title="Nothing to explain",
                    message="give the case and a canonical message as JSON (at most 1 MB)")
    try:
        env = codec.decode(message)
    except (InvalidMessage, ValueError) as exc:
        return page(request, "error.html.j2", status_code=400, title="Not a message",
                    message=f"the message is not a valid canonical message: {exc}")
    try:
        table = load_routes(ctx.settings.routes)
    except ConfigurationError as exc:
        return page(request, "error.html.j2", status_code=500, title="Routes unreadable",
                    message=str(exc))
    verdicts, found = explain_for_case(table, env, ctx.store, case_id)
    return page(request, "explain.html.j2", title=f"Why: case {case_id}", case_id=case_id,
                found=found, message_type=env.type,
                lines=list(render(verdicts, ctx.settings.routes.name)))
