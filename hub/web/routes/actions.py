"""Replay and discard from the web: operators only, a reason always, audit-logged by
``hub.ops.replay`` exactly as the CLI's ``gridhub dlq replay|discard``; a dry run first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from hub.ops.cli_support import NoPublisher
from hub.ops.replay import Outcome, count_selected, discard, replay
from hub.ops.selection import Selection
from hub.ops.views import plan_summary
from hub.topology import topology_for
from hub.web.auth import check_csrf, require, web
from hub.web.context import WebContext
from hub.web.filters import FIELDS, BadFilter, Filters
from hub.web.jobs import Job
from hub.web.templating import page

router = APIRouter()
DEFAULT_RATE = 20.0  # messages per second, as the CLI


def start_replay(ctx: WebContext, selection: Selection, *, actor: str, reason: str,
                 rate: float) -> Job:
    """Replay ``selection`` in the background through a broker connection of its own."""
    from hub.publisher import Publisher
    from hub.transports import connection_for

    s = ctx.settings
    topology = topology_for(s.namespace, s.broker_url, replicas=s.broker_replicas)
    total = count_selected(ctx.store, selection)

    def work(job: Job) -> Outcome:
        conn = connection_for(s.broker_url)
        try:
            topology.declare(conn, sorted(ctx.configured or ()))
            publisher = Publisher(conn)
            try:
                return replay(ctx.store, publisher, topology, selection, actor=actor,
                              reason=reason, rate=rate, connectors=ctx.configured,
                              progress=job.progress, control=job.control)
            finally:
                publisher.close()
        finally:
            conn.release()

    return ctx.jobs.start("replay", selection.describe(), actor, reason, total, work)


def start_discard(ctx: WebContext, selection: Selection, *, actor: str, reason: str) -> Job:
    total = count_selected(ctx.store, selection)
    return ctx.jobs.start("discard", selection.describe(), actor, reason, total,
                          lambda job: discard(ctx.store, selection, actor=actor, reason=reason,
                                              progress=job.progress, control=job.control))


def dry_run(ctx: WebContext, operation: str, selection: Selection) -> Outcome:
    if operation == "discard":
        return discard(ctx.store, selection, actor="-", reason="", dry_run=True)
    topology = topology_for(ctx.settings.namespace, ctx.settings.broker_url)
    return replay(ctx.store, NoPublisher(), topology, selection, actor="-", reason="",
                  dry_run=True, connectors=ctx.configured)


@router.post("/actions/{operation}")
def act(request: Request, operation: str, csrf_token: Annotated[str, Form()] = "",
        reason: Annotated[str, Form()] = "", mode: Annotated[str, Form()] = "dry-run",
        fingerprint: Annotated[str, Form()] = "", ids: Annotated[list[int], Form()] = [],  # noqa: B006
        rate: Annotated[float, Form()] = DEFAULT_RATE, route: Annotated[str, Form()] = "",
        connector: Annotated[str, Form()] = "", type: Annotated[str, Form()] = "",
        key: Annotated[str, Form()] = "", since: Annotated[str, Form()] = "",
        until: Annotated[str, Form()] = "") -> Response:
    """``operation`` replay or discard of a group (``fingerprint``), ``ids`` or filters;
    ``mode`` "dry-run" shows the plan, "run" starts it."""
    from hub.access import Action

    check_csrf(request, csrf_token)
    if operation not in ("replay", "discard"):
        return _bad(request, f"unknown operation {operation!r}: replay or discard")
    who = require(request, Action.replay if operation == "replay" else Action.discard)
    raw = dict(zip(FIELDS, (route, connector, type, key, since, until), strict=True))
    filters = Filters.of(raw)
    try:
        selection = filters.selection(fingerprint=fingerprint.strip() or None, ids=tuple(ids))
    except BadFilter as exc:
        return _bad(request, str(exc))
    if selection.is_empty():
        return _bad(request, "say which dead letters: a group, ids or a filter")
    if not 0 < rate <= 1000:
        return _bad(request, f"rate must be between 0 and 1000 per second, not {rate:g}")
    ctx = web(request)
    if mode != "run":
        plan = dry_run(ctx, operation, selection)
        return page(request, "plan.html.j2", title=f"Dry run: {operation}", plan=plan,
                    summary=plan_summary(plan, "send" if operation == "replay" else "discard"),
                    operation=operation, selection=selection, fingerprint=fingerprint,
                    ids=ids, filters=filters, reason=reason, rate=rate)
    if not reason.strip():
        return _bad(request, "a reason is required: it goes into the audit log with who and when")
    if operation == "replay":
        job = start_replay(ctx, selection, actor=who.name, reason=reason.strip(), rate=rate)
    else:
        job = start_discard(ctx, selection, actor=who.name, reason=reason.strip())
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.post("/jobs/{job_id}/{command}")
def control(request: Request, job_id: int, command: str,
            csrf_token: Annotated[str, Form()] = "") -> Response:
    """Pause, resume or stop a running job (stop: after the message in hand)."""
    from hub.access import Action

    check_csrf(request, csrf_token)
    require(request, Action.replay)
    job = web(request).jobs.get(job_id)
    if job is None or command not in ("pause", "resume", "stop"):
        return _bad(request, f"no job {job_id} or unknown command {command!r}")
    getattr(job.control, command)()
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


def _bad(request: Request, message: str) -> Response:
    return page(request, "error.html.j2", status_code=400, title="Cannot do that",
                message=message)


@router.post("/connectors/{connector}/{command}")
def park(request: Request, connector: str, command: str,
         csrf_token: Annotated[str, Form()] = "",
         reason: Annotated[str, Form()] = "") -> Response:
    """Pause a connector whose target is down (its messages wait, in order, per case) or
    resume it; audit-logged by ``hub.ops.pause``."""
    from hub.access import Action
    from hub.ops import pause as parking

    check_csrf(request, csrf_token)
    who = require(request, Action.pause)
    ctx = web(request)
    if command not in ("pause", "resume"):
        return _bad(request, f"unknown command {command!r}: pause or resume")
    if ctx.configured is not None and connector not in ctx.configured:
        return _bad(request, f"no connector {connector!r} in {ctx.settings.routes}")
    if not reason.strip():
        return _bad(request, "a reason is required: it goes into the audit log")
    if command == "pause":
        parking.pause(ctx.store, connector, actor=who.name, reason=reason.strip())
    else:
        parking.resume(ctx.store, connector, actor=who.name, reason=reason.strip())
    return RedirectResponse("/", status_code=303)
