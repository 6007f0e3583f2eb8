"""``gridhub trace``, ``status``, ``pause`` and ``resume``: where a case is, whether the hub
is healthy, and parking a connector whose target is down."""

from __future__ import annotations

import sys
from typing import Any

import click

from hub.ops.cli_support import (
    EXIT_RUNTIME,
    actor,
    cli_store,
    configured_connectors,
    guard,
    json_out,
    load_settings,
    one_line,
)


@click.command()
@click.argument("key")
@click.option("--kind", type=click.Choice(["gsrn", "meter_number", "workorder_id"]),
              help="only business keys of this kind")
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
@click.pass_context
@guard
def trace(ctx: click.Context, key: str, kind: str | None, as_json: bool) -> None:
    """Where is a case? KEY: case id, GSRN, meter number or work-order id.

    Prints every hop across every system (time, hop, from -> to, outcome, try, detail), then
    each case's status, side tracks, messages waiting and open dead letters.
    """
    from hub.ops.casetrace import case_trace
    from hub.ops.views import case_trace_text

    with cli_store(load_settings(ctx)) as store:
        found = case_trace(store, key, kind)
    if as_json:
        json_out(found)
    else:
        click.echo(case_trace_text(found) if found.found else
                   f"nothing known about {key!r}: no case id or business key in the trace")
    if not found.found:
        sys.exit(EXIT_RUNTIME)


@click.command()
@click.option("--management-url", help="RabbitMQ management API (default: broker host:15672)")
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
@click.pass_context
@guard
def status(ctx: click.Context, management_url: str | None, as_json: bool) -> None:
    """Is the hub healthy? Queues (depth, consumers, rates, oldest, replicas on a RabbitMQ
    cluster), retries waiting, dead letters per group, each connector's target reachable or
    not, and paused connectors."""
    from hub.ops.management import management_for
    from hub.ops.status import collect
    from hub.ops.views import status_text

    settings = load_settings(ctx)
    configured = configured_connectors(settings, warn=False)
    connectors = _instances(configured or {})
    with cli_store(settings) as store:
        found = collect(store, broker_url=settings.broker_url, namespace=settings.namespace,
                        connectors=connectors,
                        management=management_for(settings.broker_url, management_url))
    if configured is None:
        found.problems.append(f"routes file {settings.routes} not usable: connectors unknown")
    if as_json:
        json_out(found)
    else:
        click.echo(status_text(found))


def _instances(specs: dict[str, Any]) -> dict[str, Any]:
    """A connector instance per spec to ask ``reachable()``, or why there is none."""
    from hub.connector import NoInbound
    from hub.plugins import load

    out: dict[str, Any] = {}
    for name, spec in specs.items():
        try:
            out[name] = load(spec.plugin)(spec.settings, NoInbound("gridhub status"))
        except Exception as exc:  # a plugin missing or refusing its settings: show why
            out[name] = one_line(exc)
    return out


def _known_connector(settings: Any, connector: str) -> None:
    configured = configured_connectors(settings)
    if configured is not None and connector not in configured:
        raise click.BadParameter(
            f"no connector {connector!r} in {settings.routes} (known: "
            f"{', '.join(sorted(configured)) or 'none'})", param_hint="CONNECTOR")


@click.command()
@click.argument("connector")
@click.option("--reason", default="", help="why (required; goes into the audit log)")
@click.pass_context
@guard
def pause(ctx: click.Context, connector: str, reason: str) -> None:
    """Park CONNECTOR until its target is back: its messages wait in the store, each case's
    messages in order, until `gridhub resume CONNECTOR`."""
    from hub.ops import pause as parking
    from hub.ops.render import when

    if not reason.strip():
        raise click.UsageError("--reason is required: it goes into the audit log")
    settings = load_settings(ctx)
    _known_connector(settings, connector)
    with cli_store(settings) as store:
        current, created = parking.pause(store, connector, actor=actor(), reason=reason)
    if created:
        click.echo(f"paused {connector}: its messages wait until `gridhub resume {connector}`")
    else:
        click.echo(f"{connector} was already paused since {when(current.paused_at)} by "
                   f"{current.paused_by}: {current.reason}")


@click.command()
@click.argument("connector")
@click.option("--reason", default="", help="why (required; goes into the audit log)")
@click.pass_context
@guard
def resume(ctx: click.Context, connector: str, reason: str) -> None:
    """Deliver to CONNECTOR again; what waited goes out in order, case by case."""
    from hub.ops import pause as parking

    if not reason.strip():
        raise click.UsageError("--reason is required: it goes into the audit log")
    settings = load_settings(ctx)
    _known_connector(settings, connector)
    with cli_store(settings) as store:
        done = parking.resume(store, connector, actor=actor(), reason=reason)
    state = "resumed" if done.was_paused else "was not paused;"
    click.echo(f"{connector} {state} released {done.released} waiting case(s) in order")
