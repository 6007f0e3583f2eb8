"""``gridhub users``: users, expiring roles, personal-data permission and API tokens.

Passwords never come from argv (shell history, ``ps``): from a prompt, or ``--password-stdin``
for scripts. Exit codes: 0 ok, 2 usage, 1 refused or not found (one line saying what to do).
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
from hub.ops.cli_support import actor, cli_store, guard, json_out, load_settings

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
