"""``gridhub dlq``: the failure workbench (list, groups, show, replay, discard).

``register(main)`` adds these and the commands of ``hub.ops.cli_hub`` (trace, status, pause,
resume) to the ``gridhub`` group. Exit codes and error style: ``hub.ops.cli_support``.
"""

from __future__ import annotations

from typing import Any

import click

from hub.ops.cli_support import (
    NoPublisher,
    actor,
    broker_publisher,
    cli_store,
    configured_connectors,
    fail,
    filter_options,
    guard,
    json_out,
    load_settings,
    make_selection,
    progress,
)


def register(main: click.Group) -> None:
    """Add the ops commands to the ``gridhub`` group."""
    from hub.ops.cli_handle import handle
    from hub.ops.cli_hub import pause, resume, status, trace
    from hub.ops.cli_metering import metering

    main.add_command(dlq)
    main.add_command(handle)
    main.add_command(trace)
    main.add_command(status)
    main.add_command(pause)
    main.add_command(resume)
    main.add_command(metering)


# -- dlq ---------------------------------------------------------------------------------------

@click.group()
def dlq() -> None:
    """The failure workbench: list, group, show, replay and discard dead letters."""


@dlq.command("list")
@filter_options
@click.option("--status", "state", default="open", show_default=True,
              type=click.Choice(["open", "replayed", "discarded", "any"]))
@click.option("--limit", default=200, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
@click.pass_context
@guard
def dlq_list(ctx: click.Context, state: str, limit: int, as_json: bool, **filters: Any) -> None:
    """Dead letters matching every filter, oldest first."""
    from hub.ops.db import reading
    from hub.ops.selection import select_rows
    from hub.ops.views import dead_letter_table

    with cli_store(load_settings(ctx)) as store, reading(store) as conn:
        rows = select_rows(conn, make_selection(**filters), None if state == "any" else (state,),
                           limit=limit)
    if as_json:
        json_out(rows)
        return
    if not rows:
        click.echo(f"no {'' if state == 'any' else state + ' '}dead letters match")
        return
    click.echo(dead_letter_table(rows, with_status=state != "open"))
    more = " (limit reached: narrow the filters or raise --limit)" if len(rows) == limit else ""
    click.echo(f"\n{len(rows)} dead letter(s){more}")


@dlq.command("groups")
@click.option("--status", "state", default="open", show_default=True,
              type=click.Choice(["open", "replayed", "discarded", "any"]))
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
@click.pass_context
@guard
def dlq_groups(ctx: click.Context, state: str, as_json: bool) -> None:
    """Dead letters grouped by failure (exception, where, connector, message type)."""
    from hub.ops.views import group_table

    with cli_store(load_settings(ctx)) as store:
        groups = store.dead_letter_groups(None if state == "any" else state)
    if as_json:
        json_out(groups)
        return
    if not groups:
        click.echo(f"no {'' if state == 'any' else state + ' '}dead letters")
        return
    click.echo(group_table(groups))
    click.echo("\nreplay a group once its cause is fixed: "
               "gridhub dlq replay --group GROUP --reason WHY [--dry-run]")


@dlq.command("show")
@click.argument("dl_id", metavar="ID", type=int)
@click.option("--reveal", is_flag=True, help="show personal data (audited; needs --reason)")
@click.option("--reason", default="", help="why you need to see personal data")
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
@click.pass_context
@guard
def dlq_show(ctx: click.Context, dl_id: int, reveal: bool, reason: str, as_json: bool) -> None:
    """One dead letter: message, headers, error, remote fault, attempts, audit."""
    from hub.ops import audit
    from hub.ops.db import reading

    if reveal and not reason.strip():
        raise click.UsageError("--reveal needs --reason: access to personal data is audited")
    with cli_store(load_settings(ctx)) as store:
        dl = store.dead_letter(dl_id)
        if dl is None:
            fail(f"no dead letter {dl_id}")
        hops = [h for h in store.trace(dl.case_id) if h.message_id == dl.message_id] \
            if dl.case_id else []
        if reveal:
            with store.transaction() as tx:
                audit.record(tx.conn, [audit.AuditEntry(
                    actor=actor(), action="reveal", subject=f"dead-letter {dl_id}",
                    reason=reason, dead_letter_id=dl_id, detail={"case_id": dl.case_id})])
        with reading(store) as conn:
            log = audit.entries(conn, dead_letter_id=dl_id, limit=20)
    _show(dl, hops, log, reveal, as_json)


def _show(dl: Any, hops: list[Any], log: list[Any], reveal: bool, as_json: bool) -> None:
    import json

    from hub.ops.render import jsonable, masked
    from hub.ops.views import body_text, dead_letter_detail

    if not as_json:
        click.echo(dead_letter_detail(dl, hops, log, reveal))
        return
    try:
        body: Any = json.loads(dl.body)
    except ValueError:
        body = body_text(dl.body, reveal)
    doc = jsonable(dl)
    if not reveal:
        body = masked(body)
        doc["remote_fault"] = masked(doc["remote_fault"])
    json_out({"dead_letter": doc, "message": body, "masked": not reveal,
               "hops": jsonable(hops), "audit": jsonable(log)})


@dlq.command("replay")
@click.argument("ids", nargs=-1, type=int)
@filter_options
@click.option("--all", "everything", is_flag=True, help="every open dead letter")
@click.option("--reason", default="", help="why (required; goes into the audit log)")
@click.option("--dry-run", is_flag=True, help="say what would happen, change nothing")
@click.option("--rate", type=click.FloatRange(min=0.1), default=20.0, show_default=True,
              help="messages per second at most")
@click.option("--again", is_flag=True, help="also dead letters already replayed once")
@click.option("--yes", "-y", is_flag=True, help="do not ask for confirmation")
@click.option("--json", "as_json", is_flag=True, help="machine-readable result")
@click.pass_context
@guard
def dlq_replay(ctx: click.Context, ids: tuple[int, ...], everything: bool, reason: str,
               dry_run: bool, rate: float, again: bool, yes: bool, as_json: bool,
               **filters: Any) -> None:
    """Send dead letters again: IDS, a --group, everything for a --key, or filters.

    The original message goes back to its connector's queue (or to the hub for messages the
    hub refused), with the attempt count reset. A message that already reached its target
    is not sent twice. Ctrl-C stops after the current message; run again to continue.
    """
    selection = make_selection(ids, everything, **filters)
    _require(selection, reason, dry_run)
    settings = load_settings(ctx)
    configured = configured_connectors(settings)
    with cli_store(settings) as store:
        _replay(store, settings, selection, configured, reason=reason, dry_run=dry_run,
                rate=rate, again=again, yes=yes, as_json=as_json)


def _require(selection: Any, reason: str, dry_run: bool) -> None:
    if selection.is_empty():
        raise click.UsageError("say which dead letters: IDS, --group, --key, a filter, or --all")
    if not dry_run and not reason.strip():
        raise click.UsageError("--reason is required: it goes into the audit log")


def _replay(store: Any, settings: Any, selection: Any, configured: dict[str, Any] | None, *,
            reason: str, dry_run: bool, rate: float, again: bool, yes: bool,
            as_json: bool) -> None:
    from hub.ops.replay import replay
    from hub.ops.views import plan_summary
    from hub.topology import topology_for

    topology = topology_for(settings.namespace, settings.broker_url)
    connectors = set(configured) if configured is not None else None
    plan = replay(store, NoPublisher(), topology, selection, actor=actor(), reason=reason,
                  dry_run=True, again=again, connectors=connectors)
    if dry_run or not plan.items:
        _report(plan, selection, store, again, as_json)
        return
    if not yes and not as_json:
        click.echo(f"replay of {selection.describe()}:\n{plan_summary(plan, 'send')}")
        click.confirm(f"go on, at most {rate:g} per second?", abort=True)
    with broker_publisher(settings, sorted(connectors or ())) as publisher, progress(
            len(plan.items), "replaying", as_json) as (tick, control):
        outcome = replay(store, publisher, topology, selection, actor=actor(), reason=reason,
                         rate=rate, again=again, connectors=connectors, progress=tick,
                         control=control)
    _report(outcome, selection, store, again, as_json)


_DONE = {"replay": "sent", "resolved": "already delivered (marked replayed, not sent)",
         "discard": "discarded", "skip": "skipped"}


def _report(outcome: Any, selection: Any, store: Any, again: bool, as_json: bool) -> None:
    from hub.ops.views import plan_summary, plan_table

    if as_json:
        json_out(outcome.as_dict())
    elif not outcome.items and not outcome.error:
        click.echo(f"nothing to {outcome.operation}: {_nothing_hint(store, selection, again)}")
    elif outcome.dry_run:
        click.echo(plan_table(outcome.items))
        click.echo(f"\ndry run, nothing changed. {outcome.operation} of "
                   f"{selection.describe()} would do:\n{plan_summary(outcome, 'send')}")
    else:
        done = ", ".join(f"{n} {_DONE[action]}" for action, n in sorted(outcome.done.items()))
        click.echo(f"{outcome.operation} of {selection.describe()}: {done or 'nothing done'}")
    if outcome.error:
        fail(f"{outcome.error}; stopped. What was done is recorded; the rest stays open: "
              "run the same command again to continue")
    if outcome.stopped:
        fail("stopped on request; the rest stays open: run the same command again to continue")


def _nothing_hint(store: Any, selection: Any, again: bool) -> str:
    from hub.ops.db import reading
    from hub.ops.selection import count_by_status

    with reading(store) as conn:
        counts = count_by_status(conn, selection)
    if not counts:
        return f"no dead letters match {selection.describe()}"
    listed = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    hint = " (--again replays those already replayed)" if counts.get("replayed") and \
        not again else ""
    return f"none of the matching dead letters is open ({listed}){hint}"


@dlq.command("discard")
@click.argument("ids", nargs=-1, type=int)
@filter_options
@click.option("--all", "everything", is_flag=True, help="every open dead letter")
@click.option("--reason", default="", help="why (required; goes into the audit log)")
@click.option("--dry-run", is_flag=True, help="say what would happen, change nothing")
@click.option("--yes", "-y", is_flag=True, help="do not ask for confirmation")
@click.option("--json", "as_json", is_flag=True, help="machine-readable result")
@click.pass_context
@guard
def dlq_discard(ctx: click.Context, ids: tuple[int, ...], everything: bool, reason: str,
                dry_run: bool, yes: bool, as_json: bool, **filters: Any) -> None:
    """Give up on dead letters: kept for the record, never replayed. IDS, --group, --key,
    filters or --all."""
    from hub.ops.replay import discard
    from hub.ops.views import plan_summary

    selection = make_selection(ids, everything, **filters)
    _require(selection, reason, dry_run)
    with cli_store(load_settings(ctx)) as store:
        plan = discard(store, selection, actor=actor(), reason=reason, dry_run=True)
        if dry_run or not plan.items:
            _report(plan, selection, store, False, as_json)
            return
        if not yes and not as_json:
            click.echo(f"discard of {selection.describe()}:\n{plan_summary(plan, 'discard')}")
            click.confirm("go on?", abort=True)
        with progress(len(plan.items), "discarding", as_json) as (tick, control):
            outcome = discard(store, selection, actor=actor(), reason=reason, progress=tick,
                              control=control)
        _report(outcome, selection, store, False, as_json)
