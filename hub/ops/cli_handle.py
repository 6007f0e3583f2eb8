"""``gridhub handle``: the handler queue, for the grid owner's case handler (nätthandläggare)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from hub.ops.cli_support import actor, cli_store, fail, guard, json_out, load_settings

if TYPE_CHECKING:
    from hub.ops.handling import Terms


@click.group()
def handle() -> None:
    """The handler queue: cases that wait for a person, and the decision on them.

    Simple cases are approved by the rules in routes.yaml; the rest wait here. A decision is
    published into the hub (the portal shows it, the installer gets the e-mail) and recorded
    in the audit log with who and why. On the embedded broker, run it while `gridhub run` is
    stopped (the embedded broker serves one process); on RabbitMQ at any time.
    """


@handle.command("list")
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
@click.pass_context
@guard
def list_(ctx: click.Context, as_json: bool) -> None:
    """Cases waiting for a decision, oldest first."""
    from hub.ops.handling import waiting
    from hub.ops.render import table

    with cli_store(load_settings(ctx)) as store:
        found = waiting(store)
    if as_json:
        json_out([w.__dict__ for w in found])
        return
    if not found:
        click.echo("no case waits for a decision")
        return
    click.echo(f"{len(found)} case(s) wait for a decision:")
    click.echo(table(["CASE", "REFERENCE", "STATUS", "TYPE", "COUNTRY", "SINCE", "WHY"], [
        [w.case_id, w.reference, w.status,
         f"{w.installation_type or '-'}/{w.job_type or '-'}", w.country,
         f"{w.since:%Y-%m-%d %H:%M}", w.why] for w in found], indent="  "))


@handle.command()
@click.argument("case_id")
@click.option("--note", "text", default="Godkänd av handläggare.", show_default=True,
              help="the note the installer sees")
@click.option("--reason", default="approved", show_default=True, help="for the audit log")
@click.option("--fee", type=click.FloatRange(min=0), default=None,
              help="connection fee excluding VAT (SEK in Sweden, NOK in Norway)")
@click.option("--project", "project_number", default=None, help="the project number")
@click.option("--bill-customer/--no-bill-customer", default=None,
              help="whether the customer is invoiced (Fakturera kund)")
@click.option("--info", default=None, help="Upplysningar: information for the installer")
@click.pass_context
@guard
def approve(ctx: click.Context, case_id: str, text: str, reason: str, fee: float | None,
            project_number: str | None, bill_customer: bool | None, info: str | None) -> None:
    """Approve CASE_ID: Installationsmedgivande med nätuppgifter (signed by you, with the
    fee, project number and whether the customer is invoiced), or the completion notice
    (Arkiverad av Nätthandläggare: the meter work order is released)."""
    from decimal import Decimal

    from hub.ops.handling import Terms

    terms = Terms(connection_fee=Decimal(str(fee)) if fee is not None else None,
                  project_number=project_number, bill_customer=bill_customer, info=info)
    _decide(ctx, case_id, approve=True, text=text, reason=reason, wrong_type=False,
            terms=terms)


@handle.command()
@click.argument("case_id")
@click.option("--reason", required=True, help="why: the note the installer sees, and the audit")
@click.option("--wrong-installation-type", is_flag=True,
              help="the installer must copy the case to a new one with the right type")
@click.pass_context
@guard
def reject(ctx: click.Context, case_id: str, reason: str, wrong_installation_type: bool) -> None:
    """Reject CASE_ID: Avvisad föranmälan, or Avvisad färdiganmälan."""
    _decide(ctx, case_id, approve=False, text=reason, reason=reason,
            wrong_type=wrong_installation_type)


def _decide(ctx: click.Context, case_id: str, *, approve: bool, text: str, reason: str,
            wrong_type: bool, terms: Terms | None = None) -> None:
    from hub.errors import InvalidMessage
    from hub.ops.cli_support import broker_publisher
    from hub.ops.handling import audit_decision, decision

    settings = load_settings(ctx)
    by = actor()
    with cli_store(settings) as store:
        try:
            message = decision(store, case_id, approve=approve, text=text, by=by,
                               wrong_installation_type=wrong_type, terms=terms)
        except InvalidMessage as exc:
            fail(str(exc))
        with broker_publisher(settings, []) as publisher:
            from hub import codec
            from hub.publisher import Outgoing
            from hub.topology import HUB_KEY, topology_for

            topology = topology_for(settings.namespace, settings.broker_url)
            publisher.publish([Outgoing(topology.inbound, HUB_KEY, codec.encode(message),
                                        case_id=message.case_id)])
        audit_decision(store, message, by=by, reason=reason)
    click.echo(f"{message.type} for case {case_id} sent ({message.message_id})")
