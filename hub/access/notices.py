"""The texts of the role-expiry warning mails: plain text, English with a Swedish and a
Norwegian line, each naming the role, the expiry date and the exact command that renews it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from hub.access.mailer import Mail
from hub.access.model import WARN_DAYS, Grant


def renew_command(grant: Grant) -> str:
    return f"gridhub users renew {grant.user} {grant.role}"


def _left(grant: Grant, at: datetime) -> str:
    days = grant.days_left(at)
    return "today" if days <= 0 else "in 1 day" if days == 1 else f"in {days} days"


def user_mail(address: str, grant: Grant, at: datetime) -> Mail:
    """The warning to the user whose role expires."""
    day = grant.expires_at.date().isoformat()
    body = "\n".join([
        f"Hello {grant.user},",
        "",
        f"your gridhub role \"{grant.role}\" expires on {day} ({_left(grant, at)}, UTC).",
        "After that you cannot use gridhub with it. Ask a gridhub admin to renew it;",
        "the admin runs:",
        "",
        f"    {renew_command(grant)}",
        "",
        f"Svenska: din gridhub-roll \"{grant.role}\" går ut {day}.",
        "         Be en administratör förnya den med kommandot ovan.",
        f"Norsk: gridhub-rollen din \"{grant.role}\" utløper {day}.",
        "       Be en administrator fornye den med kommandoen over.",
        "",
        "-- ",
        "gridhub (automatic message, sent once a day until the role is renewed)",
        "",
    ])
    return Mail(address, f"gridhub: your {grant.role} role expires on {day}", body)


def admin_digest(address: str, admin: str, found: Sequence[Grant], at: datetime) -> Mail:
    """One mail to an admin listing every role that expires soon, with its renew command."""
    width = max(len(g.user) for g in found)
    lines = [f"  {g.user:<{width}}  {g.role:<8}  expires {g.expires_at.date()} "
             f"({_left(g, at)})\n      {renew_command(g)}" for g in found]
    one = len(found) == 1
    roles, verb = ("role", "expires") if one else ("roles", "expire")
    body = "\n".join([
        f"Hello {admin},",
        "",
        f"{len(found)} gridhub {roles} {verb} within {WARN_DAYS} days (dates in UTC).",
        "Renew each one that is still needed:",
        "",
        *lines,
        "",
        f"Svenska: {len(found)} gridhub-{'roll' if one else 'roller'} går snart ut;",
        f"         förnya {'den' if one else 'dem'} som behövs med kommandona ovan.",
        f"Norsk: {len(found)} gridhub-{'rolle' if one else 'roller'} utløper snart;",
        f"       forny {'den' if one else 'dem'} som trengs med kommandoene over.",
        "",
        "Who has which role: gridhub users list",
        "",
        "-- ",
        "gridhub (automatic message, at most once a day)",
        "",
    ])
    first = min(g.expires_at for g in found).date()
    return Mail(address, f"gridhub: {len(found)} {roles} {verb} soon (first on {first})", body)
