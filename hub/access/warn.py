"""Role-expiry warnings by e-mail: the user whose role expires within ``WARN_DAYS``, and every
admin with an address (one digest), at most once per grant per day.

The daily row ``Access.expiring`` keeps per grant (the ``access_warning`` table) is claimed
(``mailed_at``) before its mail goes out, so several hub processes never mail the same
warning twice on one day. A warning whose mail failed for a passing reason (server down, 4xx)
is released and goes out at the next run; one the server refused for good (5xx, e.g. a bad
address) stays claimed until the next day.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal

import sqlalchemy as sa
import structlog

from hub.access.mailer import Mailer, Outbox
from hub.access.model import WARN_DAYS, Grant, Role, UserInfo
from hub.access.notices import admin_digest, user_mail
from hub.access.tables import warnings
from hub.errors import ConfigurationError, GridhubError, PermanentError

if TYPE_CHECKING:
    from hub.access.service import Access
    from hub.config import Settings
    from hub.store import Store

log = structlog.get_logger(__name__)
CHECK_EVERY_S = 3600.0  # the hub looks hourly; each warning still goes out once a day


@dataclass(frozen=True)
class Sent:
    """One mail: to a user about their grant, or to an admin listing every due grant."""

    kind: Literal["user", "admin"]
    name: str
    address: str
    grants: tuple[Grant, ...]


@dataclass
class WarnReport:
    """What a run sent (or, in a dry run, would send) and what went wrong."""

    day: str
    dry_run: bool
    due: list[Grant] = field(default_factory=list)  # not mailed yet today, at the start
    sent: list[Sent] = field(default_factory=list)
    no_address: list[Grant] = field(default_factory=list)  # the user has no e-mail
    refused: list[tuple[Sent, str]] = field(default_factory=list)  # permanent, with why
    error: GridhubError | None = None  # the server failed: the rest waits for the next run

    @property
    def failed(self) -> bool:
        return self.error is not None or bool(self.refused)


@dataclass(frozen=True)
class _Plan:
    due: list[Grant]
    users: list[Sent]
    admins: list[tuple[str, str]]  # (admin, address)
    no_address: list[Grant]


def warn_due(access: Access, mailer: Mailer | None, now: datetime, *,
             dry_run: bool = False) -> WarnReport:
    """Mail today's role-expiry warnings not mailed yet. ``dry_run`` (mailer may be None)
    only says what would go out. Never raises for the mail server: see ``report.error``."""
    day = now.date().isoformat()
    report = WarnReport(day, dry_run)
    plan = _plan(access, now, day)
    report.due, report.no_address = plan.due, plan.no_address
    if dry_run or not plan.due:
        if dry_run and plan.due:
            report.sent = [*plan.users, *(Sent("admin", a, addr, tuple(plan.due))
                                          for a, addr in plan.admins)]
        return report
    if mailer is None:
        raise ConfigurationError("no mail server: set GRIDHUB_SMTP_URL and GRIDHUB_MAIL_FROM",
                                 where="smtp_url (GRIDHUB_SMTP_URL)")
    try:
        with mailer.connect() as outbox:
            _send(access, outbox, plan, day, now, report)
    except GridhubError as exc:  # connecting or logging in failed: nothing was claimed
        report.error = exc
    _log(report)
    return report


def _plan(access: Access, now: datetime, day: str) -> _Plan:
    found = access.expiring(WARN_DAYS, at=now)  # makes today's warning rows
    with access.store.engine.connect() as conn:
        open_keys = {(r.user_name, r.role) for r in conn.execute(
            sa.select(warnings.c.user_name, warnings.c.role).where(
                warnings.c.day == day, warnings.c.mailed_at.is_(None)))}
    due = [g for g in found if (g.user, g.role.value) in open_keys]
    people: dict[str, UserInfo] = {u.name: u for u in access.users()}
    users, no_address = [], []
    for grant in due:
        address = people[grant.user].email if grant.user in people else None
        if address:
            users.append(Sent("user", grant.user, address, (grant,)))
        else:
            no_address.append(grant)
    admins = [(u.name, u.email) for u in people.values()
              if u.email and Role.admin in u.roles(now)]
    return _Plan(due, users, admins, no_address)


def _send(access: Access, outbox: Outbox, plan: _Plan, day: str, now: datetime,
          report: WarnReport) -> None:
    mine = _claim(access, plan.due, day, now)  # another process may have taken some
    done: list[Grant] = []
    for index, grant in enumerate(mine):
        to_user = next((s for s in plan.users if s.grants == (grant,)), None)
        if to_user is not None:
            try:
                outbox.send(user_mail(to_user.address, grant, now))
                report.sent.append(to_user)
            except PermanentError as exc:
                report.refused.append((to_user, str(exc)))
            except GridhubError as exc:  # the server failed: later warnings wait too
                _release(access, mine[index:], day)
                report.error = exc
                break
        done.append(grant)
    if done:
        _digests(outbox, plan.admins, done, now, report)


def _digests(outbox: Outbox, admins: Sequence[tuple[str, str]], done: list[Grant],
             now: datetime, report: WarnReport) -> None:
    for admin, address in admins:
        sent = Sent("admin", admin, address, tuple(done))
        try:
            outbox.send(admin_digest(address, admin, done, now))
            report.sent.append(sent)
        except PermanentError as exc:
            report.refused.append((sent, str(exc)))
        except GridhubError as exc:
            # The users have their mails: releasing would mail them twice. The admins get
            # these grants in tomorrow's digest.
            report.error = report.error or exc
            return


def _claim(access: Access, due: Sequence[Grant], day: str, now: datetime) -> list[Grant]:
    mine = []
    with access.store.engine.begin() as conn:
        for grant in due:
            taken = conn.execute(sa.update(warnings).where(
                warnings.c.user_name == grant.user, warnings.c.role == grant.role.value,
                warnings.c.day == day, warnings.c.mailed_at.is_(None)).values(mailed_at=now))
            if taken.rowcount:
                mine.append(grant)
    return mine


def _release(access: Access, grants: Sequence[Grant], day: str) -> None:
    with access.store.engine.begin() as conn:
        for grant in grants:
            conn.execute(sa.update(warnings).where(
                warnings.c.user_name == grant.user, warnings.c.role == grant.role.value,
                warnings.c.day == day).values(mailed_at=None))


def _log(report: WarnReport) -> None:
    # Counts only: names and addresses are personal data (the CLI prints them to the admin).
    users = sum(1 for s in report.sent if s.kind == "user")
    fields = {"due": len(report.due), "user_mails": users,
              "admin_mails": len(report.sent) - users, "refused": len(report.refused),
              "without_address": len(report.no_address)}
    if report.error is not None:
        # The type and where, not the text: a server's reply may quote the recipient.
        log.warning("access.expiry_mail_failed", error=type(report.error).__name__,
                    where=report.error.where, **fields)
    else:
        log.info("access.expiry_mailed", **fields)


class DailyWarnings:
    """The hub's own trigger. ``tick()`` from the scheduler loop starts ``warn_due`` at most
    once an hour when ``smtp_url`` is set, in a thread of its own (a slow mail server must not
    hold up retries); errors are logged, never raised into the loop."""

    def __init__(self, access: Access | None, mailer: Mailer | None,
                 every_s: float = CHECK_EVERY_S) -> None:
        self.access = access
        self.mailer = mailer
        self.every_s = every_s
        self._next = 0.0
        self._tables = False
        self._thread: threading.Thread | None = None

    @classmethod
    def for_hub(cls, store: Store, settings: Settings) -> DailyWarnings:
        from hub.access.service import Access

        try:
            mailer = Mailer.from_settings(settings)
        except ConfigurationError as exc:  # the message masks the password
            log.error("access.expiry_mail_disabled", error=str(exc))
            mailer = None
        return cls(Access(store) if mailer is not None else None, mailer)

    def tick(self) -> bool:
        """Start a run if one is due and none is running; whether it started one."""
        if self.access is None or self.mailer is None or time.monotonic() < self._next:
            return False
        if self._thread is not None and self._thread.is_alive():
            return False
        self._next = time.monotonic() + self.every_s
        self._thread = threading.Thread(target=self.run_once, name="expiry-mail", daemon=True)
        self._thread.start()
        return True

    def join(self, timeout: float) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def run_once(self, now: datetime | None = None) -> WarnReport | None:
        """One run now (the thread's body); None when it could not run."""
        if self.access is None or self.mailer is None:
            return None
        try:
            if not self._tables:
                self.access.ensure_tables()
                self._tables = True
            return warn_due(self.access, self.mailer, now or self.access.clock())
        except Exception as exc:  # a store blip: try again at the next check
            log.warning("access.expiry_mail_failed", error=type(exc).__name__)
            return None
