"""``gridhub users``: users, expiring roles, personal-data permission and API tokens.

Passwords never come from argv (shell history, ``ps``): from a prompt, or ``--password-stdin``
for scripts. Exit codes: 0 ok, 2 usage, 1 refused or not found (one line saying what to do),
or the mail server failed (``warn``), 3 configuration (``warn`` without a mail server).
Who acts is recorded in the audit log: $GRIDHUB_ACTOR, else user@host.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import click

from hub.access.model import WARN_DAYS, Grant, Role
from hub.ops.cli_support import (
    EXIT_CONFIG,
    actor,
    cli_store,
    fail,
    guard,
    json_out,
    load_settings,
)

ROLES = click.Choice([r.value for r in Role])


def register(main: click.Group) -> None:
    """Add ``gridhub users`` to the ``gridhub`` group."""
    main.add_command(users)


@contextmanager
def _access(ctx: click.Context) -> Iterator[Any]:
    from hub.access import Access

    with cli_store(load_settings(ctx)) as store:
        access = Access(store)
        access.ensure_tables()
        yield access


def _read_password(from_stdin: bool) -> str:
    from hub.access.hashing import MIN_PASSWORD, check_password

    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("password", hide_input=True, confirmation_prompt=True)
    try:
        check_password(password)
    except ValueError as exc:
        raise click.UsageError(f"{exc} (got {len(password)}; use {MIN_PASSWORD} or more, a "
                               "passphrase is easiest)") from None
    return password


@click.group()
def users() -> None:
    """Users, roles (expire after a year), personal-data permission, API tokens."""


@users.command("add")
@click.argument("name")
@click.option("--email", help="where expiry warnings go")
@click.option("--password-stdin", is_flag=True, help="read the password from stdin's first line")
@click.option("--role", "roles", multiple=True, type=ROLES, help="grant at once (repeatable)")
@click.pass_context
@guard
def add(ctx: click.Context, name: str, email: str | None, password_stdin: bool,
        roles: tuple[str, ...]) -> None:
    """Add user NAME (no role unless --role: grant one to let them in)."""
    password = _read_password(password_stdin)
    with _access(ctx) as access:
        access.add_user(name, password, by=actor(), email=email)
        for role in roles:
            access.grant(name, Role(role), by=actor())
    click.echo(f"added {name}" + (f" with {', '.join(roles)}" if roles else
                                  f"; grant a role: gridhub users grant {name} viewer"))


@users.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="read the password from stdin's first line")
@click.pass_context
@guard
def passwd(ctx: click.Context, name: str, password_stdin: bool) -> None:
    """Set the password of NAME."""
    password = _read_password(password_stdin)
    with _access(ctx) as access:
        access.set_password(name, password, by=actor())
    click.echo(f"password of {name} set")


@users.command("grant")
@click.argument("name")
@click.argument("role", type=ROLES)
@click.pass_context
@guard
def grant(ctx: click.Context, name: str, role: str) -> None:
    """Grant ROLE to NAME for one year."""
    with _access(ctx) as access:
        g = access.grant(name, Role(role), by=actor())
    click.echo(f"granted {role} to {name} until {g.expires_at.date()}")


@users.command("renew")
@click.argument("name")
@click.argument("role", type=ROLES)
@click.pass_context
@guard
def renew(ctx: click.Context, name: str, role: str) -> None:
    """Renew ROLE of NAME for one year from today (also after it expired)."""
    with _access(ctx) as access:
        g = access.renew(name, Role(role), by=actor())
    click.echo(f"renewed {role} of {name} until {g.expires_at.date()}")


@users.command("revoke")
@click.argument("name")
@click.argument("role", type=ROLES)
@click.pass_context
@guard
def revoke(ctx: click.Context, name: str, role: str) -> None:
    """Take ROLE away from NAME (at once, also for open web sessions)."""
    with _access(ctx) as access:
        access.revoke(name, Role(role), by=actor())
    click.echo(f"revoked {role} of {name}")


@users.command("email")
@click.argument("name")
@click.argument("address", required=False)
@click.pass_context
@guard
def email(ctx: click.Context, name: str, address: str | None) -> None:
    """Set where NAME's role-expiry warnings go (no ADDRESS: remove it)."""
    with _access(ctx) as access:
        access.set_email(name, address, by=actor())
    click.echo(f"e-mail of {name} set to {address}" if address else f"e-mail of {name} removed")


@users.command("personal-data")
@click.argument("name")
@click.argument("state", type=click.Choice(["on", "off"]))
@click.pass_context
@guard
def personal_data(ctx: click.Context, name: str, state: str) -> None:
    """Allow (on) or stop (off) NAME seeing personal data unmasked."""
    with _access(ctx) as access:
        access.allow_personal_data(name, state == "on", by=actor())
    click.echo(f"personal data {'visible' if state == 'on' else 'masked'} for {name}")


@users.command("token")
@click.argument("name")
@click.option("--role", "roles", multiple=True, type=ROLES, required=True,
              help="scope (repeatable)")
@click.option("--personal-data", is_flag=True, help="may see personal data unmasked")
@click.option("--days", default=365, show_default=True, type=click.IntRange(1, 365))
@click.pass_context
@guard
def token(ctx: click.Context, name: str, roles: tuple[str, ...], personal_data: bool,
          days: int) -> None:
    """Create an API token for machine NAME; it is printed once, store it now."""
    with _access(ctx) as access:
        plain = access.create_token(name, [Role(r) for r in roles], personal_data=personal_data,
                                    by=actor(), expires_in_days=days)
    click.echo(plain)
    click.echo(f"token for {name} ({', '.join(roles)}), valid {days} days; it is not shown "
               "again. Use it as: Authorization: Bearer <token>", err=True)


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
@click.pass_context
@guard
def list_users(ctx: click.Context, as_json: bool) -> None:
    """Users with their roles, expiry dates and expiry warnings."""
    with _access(ctx) as access:
        found = access.users()
        access.expiring(WARN_DAYS)  # logs the daily warnings
        at = access.clock()
    if as_json:
        json_out([{"name": u.name, "email": u.email, "personal_data": u.personal_data,
                   "roles": [{"role": g.role.value, "granted_at": g.granted_at,
                              "expires_at": g.expires_at, "granted_by": g.granted_by,
                              "days_left": g.days_left(at)} for g in u.grants]}
                  for u in found])
        return
    if not found:
        click.echo("no users: add one with gridhub users add NAME --role admin")
        return
    for u in found:
        pd = "personal data visible" if u.personal_data else "personal data masked"
        click.echo(f"{u.name}  ({pd})")
        if not u.grants:
            click.echo("    no role: cannot log in")
        for g in u.grants:
            click.echo(f"    {g.role:<8} until {g.expires_at.date()}{_note(g, at)}")


def _note(grant: Grant, at: datetime) -> str:
    if not grant.active(at):
        return f"  EXPIRED: renew with gridhub users renew {grant.user} {grant.role}"
    if grant.days_left(at) < WARN_DAYS:
        return f"  warning: expires in {grant.days_left(at)} days"
    return ""


@users.command("warn")
@click.option("--dry-run", is_flag=True, help="say what would be mailed; send nothing")
@click.pass_context
@guard
def warn(ctx: click.Context, dry_run: bool) -> None:
    """Mail today's role-expiry warnings: each user whose role expires within 30 days, and a
    digest to every admin with an e-mail; once a day (the hub does it by itself when
    smtp_url is set). Exit 1: the mail server failed; 3: no mail server configured."""
    from hub.access.mailer import Mailer
    from hub.access.warn import warn_due

    mailer = Mailer.from_settings(load_settings(ctx))  # ConfigurationError: exit 3
    if mailer is None and not dry_run:
        fail(_NO_SERVER, EXIT_CONFIG)
    with _access(ctx) as access:
        report = warn_due(access, mailer, access.clock(), dry_run=dry_run)
    _print_report(report)
    if mailer is None:
        fail(_NO_SERVER, EXIT_CONFIG)
    if report.error is not None:
        fail(f"the mail server failed, the warnings not sent wait for the next run: "
             f"{report.error}")
    if report.refused:
        fail(f"{len(report.refused)} mail(s) refused by the server (see above)")


_NO_SERVER = ("no mail server configured: set GRIDHUB_SMTP_URL (smtp://user:pass@host:587?"
              "starttls=true) and GRIDHUB_MAIL_FROM")


def _print_report(report: Any) -> None:
    verb = "would send" if report.dry_run else "sent"
    if not report.due:
        click.echo(f"{report.day}: no role-expiry warning due (none within {WARN_DAYS} days, "
                   "or all mailed today)")
        return
    click.echo(f"{report.day}: {len(report.due)} role-expiry warning(s) not mailed yet today")
    for sent in report.sent:
        if sent.kind == "user":
            [g] = sent.grants
            click.echo(f"{verb} to {sent.name} <{sent.address}>: {g.role} expires "
                       f"{g.expires_at.date()}")
        else:
            click.echo(f"{verb} digest to admin {sent.name} <{sent.address}>: "
                       f"{len(sent.grants)} role(s)")
    for g in report.no_address:
        click.echo(f"no e-mail address for {g.user}: {g.role} expires {g.expires_at.date()} "
                   "(in the admins' digest only)")
    digests = [s for s in report.sent if s.kind == "admin"]
    if not digests and not report.refused and report.error is None:
        click.echo("no admin digest: no admin has an e-mail address (gridhub users email "
                   "NAME ADDRESS)")
    for sent, why in report.refused:
        click.echo(f"refused: {sent.name} <{sent.address}>: {why}", err=True)
