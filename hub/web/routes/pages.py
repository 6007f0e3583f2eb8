"""The pages people read: dashboard, failure groups, dead letters, case trace, jobs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from hub.ops import audit
from hub.ops.casestory import case_story
from hub.ops.casetrace import case_trace
from hub.ops.completeness import completeness, last_closed_day
from hub.ops.db import reading
from hub.ops.management import management_for
from hub.ops.selection import select_groups, select_rows
from hub.ops.status import HubStatus, collect
from hub.ops.views import body_text
from hub.store import DeadLetterGroup, DeadLetterRow
from hub.web.auth import check_csrf, current, require, web
from hub.web.charts import charts, last_hour
from hub.web.filters import BadFilter, Filters
from hub.web.templating import page

router = APIRouter()
REACH_TIMEOUT_S = 2.0  # a page must come back quickly even when a target hangs
ROWS = 500


def hub_status(request: Request) -> HubStatus:
    ctx = web(request)
    s = ctx.settings
    return collect(ctx.store, broker_url=s.broker_url, namespace=s.namespace,
                   connectors=ctx.connectors, management=management_for(s.broker_url),
                   reach_timeout=REACH_TIMEOUT_S)


@router.get("/")
def dashboard(request: Request) -> Response:
    current(request)
    status = hub_status(request)
    series = last_hour(web(request).store)
    down = [c.name for c in status.connectors if c.reachable is False]
    open_total = sum(g.count for g in status.groups)
    verdict = ("attention" if down or status.problems or open_total else "healthy")
    with reading(web(request).store) as conn:
        metering = completeness(conn, last_closed_day())
    return page(request, "dashboard.html.j2", title="Dashboard", status=status,
                charts=charts(series), series=series, down=down, open_total=open_total,
                verdict=verdict, jobs=web(request).jobs.all()[:5], metering=metering)


def _filters(request: Request) -> tuple[Filters, str | None]:
    filters = Filters.of(request.query_params)
    try:
        filters.selection()
    except BadFilter as exc:
        return Filters(), str(exc)
    return filters, None


def _status(error: str | None) -> int:
    """A filter that cannot be read is the asker's mistake: 400, the page says which."""
    return 400 if error else 200


def _rows(request: Request, filters: Filters, fingerprint: str | None = None,
          statuses: Sequence[str] | None = ("open",),
          before: int | None = None) -> list[DeadLetterRow]:
    """A page of dead letters, newest first: today's failures on top, ``before`` (the last
    id shown) pages to older ones."""
    with reading(web(request).store) as conn:
        return select_rows(conn, filters.selection(fingerprint=fingerprint), statuses,
                           limit=ROWS, newest_first=True, before=before)


def _groups(request: Request, filters: Filters,
            fingerprint: str | None = None) -> list[DeadLetterGroup]:
    """Open dead letters grouped in SQL: every one counted, not only a first page."""
    with reading(web(request).store) as conn:
        return select_groups(conn, filters.selection(fingerprint=fingerprint), ("open",))


def _older(rows: Sequence[DeadLetterRow]) -> int | None:
    """Where the next page starts, when this one is full."""
    return rows[-1].id if len(rows) == ROWS else None


@router.get("/groups")
def groups(request: Request) -> Response:
    current(request)
    filters, error = _filters(request)
    return page(request, "groups.html.j2", status_code=_status(error), title="Failure groups",
                groups=_groups(request, filters), filters=filters, error=error)


@router.get("/groups/{fingerprint}")
def group(request: Request, fingerprint: str, before: int | None = None) -> Response:
    current(request)
    filters, error = _filters(request)
    rows = _rows(request, filters, fingerprint, before=before)
    found = _groups(request, filters, fingerprint)
    return page(request, "group.html.j2", status_code=_status(error),
                title=f"Group {fingerprint}", fingerprint=fingerprint,
                group=found[0] if found else None, rows=rows, filters=filters, error=error,
                older=_older(rows), paged=before is not None)


@router.get("/dead-letters")
def dead_letters(request: Request, status: str = "open", before: int | None = None) -> Response:
    current(request)
    filters, error = _filters(request)
    wanted = None if status == "any" else (status,)
    rows = _rows(request, filters, statuses=wanted, before=before)
    return page(request, "dead_letters.html.j2", status_code=_status(error),
                title="Dead letters", rows=rows, filters=filters, error=error, status=status,
                older=_older(rows), paged=before is not None)


def _detail(request: Request, dl_id: int, reveal: bool) -> Response:
    ctx = web(request)
    dl = ctx.store.dead_letter(dl_id)
    if dl is None:
        return page(request, "error.html.j2", status_code=404, title="Not found",
                    message=f"no dead letter {dl_id}")
    hops = [h for h in ctx.store.trace(dl.case_id) if h.message_id == dl.message_id] \
        if dl.case_id else []
    with reading(ctx.store) as conn:
        log = audit.entries(conn, dead_letter_id=dl_id, limit=50)
    return page(request, "dead_letter.html.j2", title=f"Dead letter {dl_id}", dl=dl, hops=hops,
                log=log, body=body_text(dl.body, reveal), revealed=reveal,
                remote=_remote(dl.remote_fault, reveal), filters=Filters())


def _remote(fault: dict[str, Any] | None, reveal: bool) -> dict[str, Any]:
    from hub.ops.render import masked

    if not fault:
        return {}
    shown: dict[str, Any] = fault if reveal else masked(fault)
    return shown


@router.get("/dead-letters/{dl_id}")
def dead_letter(request: Request, dl_id: int) -> Response:
    current(request)
    return _detail(request, dl_id, reveal=False)


@router.post("/dead-letters/{dl_id}/reveal")
def reveal(request: Request, dl_id: int, reason: str = Form(""),
           csrf_token: str = Form("")) -> Response:
    """Personal data, for those allowed to see it, with a reason: audited like the CLI."""
    from hub.access import Action

    check_csrf(request, csrf_token)
    who = require(request, Action.see_personal_data)
    if not reason.strip():
        return page(request, "error.html.j2", status_code=400, title="Reason required",
                    message="say why you need to see the personal data: it is audited")
    ctx = web(request)
    with ctx.store.transaction() as tx:
        audit.record(tx.conn, [audit.AuditEntry(
            actor=who.name, action="reveal", subject=f"dead-letter {dl_id}", reason=reason,
            dead_letter_id=dl_id, detail={"via": "web"})])
    return _detail(request, dl_id, reveal=True)


@router.get("/trace")
def trace(request: Request, key: str = "") -> Response:
    current(request)
    key = key.strip()
    store = web(request).store
    found = case_trace(store, key) if key else None
    stories = {c.case_id: case_story(store, c, found.hops) for c in found.cases} if found else {}
    return page(request, "trace.html.j2", title=f"Trace {key}" if key else "Case trace",
                key=key, trace=found, stories=stories)


@router.get("/jobs/{job_id}")
def job(request: Request, job_id: int) -> Response:
    current(request)
    found = web(request).jobs.get(job_id)
    if found is None:
        return page(request, "error.html.j2", status_code=404, title="Not found",
                    message=f"no job {job_id} (jobs are kept while this process runs)")
    return page(request, "job.html.j2", title=f"{found.operation} job {job_id}", job=found)
