"""For machines: /healthz (no login), /readyz, /metrics and JSON, with a bearer token or a
session. Personal data in JSON is masked unless the principal may see it."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field

from hub.ops.casetrace import case_trace
from hub.ops.render import jsonable, masked
from hub.ops.selection import Selection
from hub.web.auth import check_csrf, current, require, web
from hub.web.filters import BadFilter, Filters
from hub.web.routes.actions import DEFAULT_RATE, dry_run, start_discard, start_replay
from hub.web.routes.pages import hub_status

router = APIRouter()


def _json(value: Any, status_code: int = 200) -> JSONResponse:
    return JSONResponse(jsonable(value), status_code=status_code)


def _authenticated(request: Request) -> bool:
    """Whether ``request`` carries a valid session or token (a probe carries neither)."""
    from hub.web.auth import LoginRequired

    try:
        current(request)
    except LoginRequired:
        return False
    return True


@router.get("/healthz")
def healthz(request: Request) -> Response:
    """Liveness for load balancers and Kubernetes: no token needed, and without one the
    answer says up and nothing else."""
    from hub.health import liveness

    return JSONResponse(liveness(detail=_authenticated(request)))


@router.get("/readyz")
def readyz(request: Request) -> Response:
    """Readiness: 200 ready / 503 not ready for anyone; which dependency is down (and its
    error) only with a session or token."""
    from hub.health import readiness

    s = web(request).settings
    ok, detail = readiness(web(request).store, s.broker_url, s.namespace)
    shown = detail if _authenticated(request) else {"status": detail["status"]}
    return JSONResponse(jsonable(shown), status_code=200 if ok else 503)


@router.get("/metrics")
def metrics(request: Request) -> Response:
    """Prometheus exposition format: the hub's counters and, read now, its state gauges."""
    current(request)
    found = web(request).metrics
    if found is None:
        return PlainTextResponse("metrics are not collected by this process: scrape the "
                                 "hub's own /metrics (gridhub run)", status_code=404)
    body, content_type = found.exposition()
    return Response(body, media_type=content_type)


@router.get("/api/status")
def status(request: Request) -> Response:
    """What `gridhub status` shows: queues, scheduled retries, failure groups, targets."""
    current(request)
    return _json(hub_status(request))


def _selection(request: Request, **extra: Any) -> Selection:
    return Filters.of(request.query_params).selection(**extra)


@router.get("/api/groups")
def groups(request: Request) -> Response:
    """Open dead letters grouped by failure fingerprint (filters in the query string)."""
    current(request)
    from hub.ops.db import reading
    from hub.ops.selection import select_groups

    try:
        selection = _selection(request)
    except BadFilter as exc:
        return _json({"error": str(exc)}, 400)
    with reading(web(request).store) as conn:
        found = select_groups(conn, selection, ("open",))
    return _json([_masked_group(g) for g in found])


def _masked_group(group: Any) -> dict[str, Any]:
    doc: dict[str, Any] = jsonable(group)
    doc["sample_error"] = masked(doc["sample_error"])
    return doc


@router.get("/api/dead-letters")
def dead_letters(request: Request, status: str = "open", limit: int = 500) -> Response:
    """Dead letters (masked, without bodies): status open, replayed, discarded or any."""
    current(request)
    from hub.ops.db import reading
    from hub.ops.selection import select_rows

    try:
        selection = _selection(request)
    except BadFilter as exc:
        return _json({"error": str(exc)}, 400)
    with reading(web(request).store) as conn:
        rows = select_rows(conn, selection, None if status == "any" else (status,),
                           limit=max(1, min(limit, 10_000)))
    return _json([_dead_letter(r, with_body=False) for r in rows])


def _dead_letter(dl: Any, *, with_body: bool, reveal: bool = False) -> dict[str, Any]:
    """``dl`` as JSON: masked unless ``reveal`` (a reason given and audited first)."""
    doc: dict[str, Any] = jsonable(dl)  # jsonable leaves the body out
    if not reveal:
        doc["exception_message"] = masked(doc["exception_message"])
        doc["remote_fault"] = masked(doc["remote_fault"])
    if with_body:
        try:
            body: Any = json.loads(dl.body)
        except ValueError:
            body = dl.body.decode("utf-8", "replace")
        doc["message"] = body if reveal else masked(body)
        doc["masked"] = not reveal
    return doc


@router.get("/api/dead-letters/{dl_id}")
def dead_letter(request: Request, dl_id: int) -> Response:
    """One dead letter with its body, personal data masked."""
    """Masked for everyone, as the page and ``gridhub dlq show``: personal data only through
    the reveal below, with a reason that is audited."""
    current(request)
    dl = web(request).store.dead_letter(dl_id)
    if dl is None:
        return _json({"error": f"no dead letter {dl_id}"}, 404)
    return _json(_dead_letter(dl, with_body=True))


class Reveal(BaseModel):
    reason: str = ""


@router.post("/api/dead-letters/{dl_id}/reveal")
def reveal(request: Request, dl_id: int, body: Reveal) -> Response:
    """The dead letter in clear, for a principal with the personal-data permission and a
    reason; the audit row (who, when, why) is written before anything is shown."""
    from hub.access import Action
    from hub.ops import audit

    who = require(request, Action.see_personal_data)
    check_csrf(request, None)  # a session must send X-CSRF-Token; a bearer token needs none
    if not body.reason.strip():
        return _json({"error": "reason: say why you need to see the personal data; it is "
                               "audited"}, 400)
    ctx = web(request)
    dl = ctx.store.dead_letter(dl_id)
    if dl is None:
        return _json({"error": f"no dead letter {dl_id}"}, 404)
    with ctx.store.transaction() as tx:
        audit.record(tx.conn, [audit.AuditEntry(
            actor=who.name, action="reveal", subject=f"dead-letter {dl_id}",
            reason=body.reason.strip(), dead_letter_id=dl_id, detail={"via": "api"})])
    return _json(_dead_letter(dl, with_body=True, reveal=True))


@router.get("/api/trace")
def trace(request: Request, key: str) -> Response:
    """A case's timeline across every system, by case id, GSRN, meter number or work order."""
    current(request)
    found = case_trace(web(request).store, key.strip())
    if not found.found:
        return _json({"error": f"nothing known about {key!r}"}, 404)
    return _json(masked(jsonable(found)))


class Operation(BaseModel):
    """A replay or discard asked for by a script: the same selection as the CLI."""

    reason: str = ""
    dry_run: bool = False
    group: str | None = None
    ids: list[int] = Field(default_factory=list)
    filters: dict[str, str] = Field(default_factory=dict)  # route, connector, type, key, ...
    rate: float = Field(default=DEFAULT_RATE, gt=0, le=1000)


@router.post("/api/{operation}")
def operate(request: Request, operation: str, body: Operation) -> Response:
    """POST /api/replay or /api/discard; a started job is followed at /api/jobs/ID."""
    from hub.access import Action

    if operation not in ("replay", "discard"):
        return _json({"error": f"unknown operation {operation!r}: replay or discard"}, 404)
    who = require(request, Action.replay if operation == "replay" else Action.discard)
    check_csrf(request, None)  # a session must send X-CSRF-Token; a bearer token needs none
    try:
        selection = Filters.of(body.filters).selection(fingerprint=body.group,
                                                       ids=tuple(body.ids))
    except BadFilter as exc:
        return _json({"error": str(exc)}, 400)
    if selection.is_empty():
        return _json({"error": "say which dead letters: group, ids or filters"}, 400)
    ctx = web(request)
    if body.dry_run:
        return _json(dry_run(ctx, operation, selection).as_dict())
    if not body.reason.strip():
        return _json({"error": "a reason is required: it goes into the audit log"}, 400)
    job = (start_replay(ctx, selection, actor=who.name, reason=body.reason, rate=body.rate)
           if operation == "replay" else
           start_discard(ctx, selection, actor=who.name, reason=body.reason))
    return _json({"job": job.id, "total": job.total, "url": f"/api/jobs/{job.id}"}, 202)


@router.get("/api/jobs/{job_id}")
def job(request: Request, job_id: int) -> Response:
    """A replay or discard job: its state and counts."""
    current(request)
    found = web(request).jobs.get(job_id)
    if found is None:
        return _json({"error": f"no job {job_id}"}, 404)
    return _json({"id": found.id, "operation": found.operation, "state": found.state,
                  "selection": found.selection, "actor": found.actor, "total": found.total,
                  "counts": dict(found.counts), "error": found.error,
                  "started_at": found.started_at, "finished_at": found.finished_at})
