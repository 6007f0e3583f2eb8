"""``Access``: users, role grants that expire, personal-data permission and API tokens.

Every change is written with its audit row in one transaction (who, when, what), so a change
is never unaudited and an audit row never describes a rolled-back change.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
import structlog
from argon2 import PasswordHasher

from hub.access import hashing
from hub.access.model import (
    ROLE_LIFETIME_DAYS,
    WARN_DAYS,
    AccessDenied,
    Grant,
    Principal,
    Role,
    UserInfo,
    now_utc,
)
from hub.access.sessions import end_sessions
from hub.access.tables import ensure_tables, grants, tokens, users, warnings
from hub.ops.audit import AuditEntry, record
from hub.store import Store

log = structlog.get_logger(__name__)
WRONG_LOGIN = "wrong user name or password"


class Access:
    """The access store. ``hasher`` may be given cheaper parameters in tests."""

    def __init__(self, store: Store, *, clock: Callable[[], datetime] = now_utc,
                 hasher: PasswordHasher | None = None) -> None:
        self.store = store
        self.clock = clock
        self.hasher = hasher or hashing.default_hasher()
        self._dummy: str | None = None

    def ensure_tables(self) -> None:
        ensure_tables(self.store)

    # -- users -------------------------------------------------------------------------------

    def add_user(self, name: str, password: str, *, by: str, email: str | None = None) -> None:
        name = _valid_name(name)
        _non_empty(password)
        email = _valid_email(email)
        with self.store.engine.begin() as conn:
            if conn.scalar(sa.select(users.c.name).where(users.c.name == name)) is not None:
                raise AccessDenied(f"user {name!r} exists already", where="access")
            conn.execute(sa.insert(users).values(
                name=name, email=email, password_hash=self.hasher.hash(password),
                personal_data=False, created_at=self.clock(), created_by=by))
            _audit(conn, by, "user.add", f"user {name}", "user added", {}, self.clock())

    def set_password(self, name: str, password: str, *, by: str) -> None:
        _non_empty(password)
        with self.store.engine.begin() as conn:
            self._require_user(conn, name)
            conn.execute(sa.update(users).where(users.c.name == name)
                         .values(password_hash=self.hasher.hash(password)))
            # A new password ends every session: one opened with the old one must not last.
            ended = end_sessions(conn, name)
            _audit(conn, by, "user.password", f"user {name}", "password set",
                   {"sessions_ended": ended}, self.clock())

    def set_email(self, name: str, email: str | None, *, by: str) -> None:
        """Where ``name``'s expiry warnings go (None: nowhere)."""
        email = _valid_email(email)
        with self.store.engine.begin() as conn:
            self._require_user(conn, name)
            conn.execute(sa.update(users).where(users.c.name == name).values(email=email))
            # The address itself stays out of the audit detail: the user row has it.
            _audit(conn, by, "user.email", f"user {name}",
                   "e-mail address set" if email else "e-mail address removed", {},
                   self.clock())

    def allow_personal_data(self, name: str, allowed: bool, *, by: str) -> None:
        with self.store.engine.begin() as conn:
            self._require_user(conn, name)
            conn.execute(sa.update(users).where(users.c.name == name)
                         .values(personal_data=allowed))
            _audit(conn, by, "user.personal_data", f"user {name}",
                   f"personal data {'allowed' if allowed else 'withdrawn'}",
                   {"allowed": allowed}, self.clock())

    # -- roles -------------------------------------------------------------------------------

    def grant(self, name: str, role: Role, *, by: str) -> Grant:
        """Grant ``role`` for a year from now (an existing grant of it starts a new year)."""
        return self._put_grant(name, Role(role), by, "role.grant")

    def renew(self, name: str, role: Role, *, by: str) -> Grant:
        """Renew a role the user has (or had, if it expired) for a year from now."""
        role = Role(role)
        with self.store.engine.connect() as conn:
            had = conn.scalar(sa.select(grants.c.role).where(
                grants.c.user_name == name, grants.c.role == role.value))
        if had is None:
            raise AccessDenied(f"user {name!r} has no {role} role to renew: grant it instead",
                               where="access")
        return self._put_grant(name, role, by, "role.renew")

    def revoke(self, name: str, role: Role, *, by: str) -> None:
        role = Role(role)
        with self.store.engine.begin() as conn:
            self._require_user(conn, name)
            gone = conn.execute(sa.delete(grants).where(
                grants.c.user_name == name, grants.c.role == role.value)).rowcount
            if not gone:
                raise AccessDenied(f"user {name!r} has no {role} role", where="access")
            ended = end_sessions(conn, name)  # they log in again with what they have left
            _audit(conn, by, "role.revoke", f"user {name}", f"role {role} revoked",
                   {"role": role.value, "sessions_ended": ended}, self.clock())

    def _put_grant(self, name: str, role: Role, by: str, action: str) -> Grant:
        at = self.clock()
        grant = Grant(name, role, at, at + timedelta(days=ROLE_LIFETIME_DAYS), by)
        values = {"granted_at": grant.granted_at, "expires_at": grant.expires_at,
                  "granted_by": by}
        with self.store.engine.begin() as conn:
            self._require_user(conn, name)
            updated = conn.execute(sa.update(grants).where(
                grants.c.user_name == name, grants.c.role == role.value).values(**values))
            if not updated.rowcount:
                conn.execute(sa.insert(grants).values(user_name=name, role=role.value, **values))
            _audit(conn, by, action, f"user {name}",
                   f"role {role} until {grant.expires_at.date().isoformat()}",
                   {"role": role.value, "expires_at": grant.expires_at.isoformat()}, at)
        return grant

    # -- authentication ----------------------------------------------------------------------

    def authenticate(self, name: str, password: str) -> Principal:
        """The principal for a login; AccessDenied says why not."""
        with self.store.engine.connect() as conn:
            row = conn.execute(sa.select(users).where(users.c.name == name)).mappings().first()
        # An unknown name costs the same argon2 check as a known one, and both refusals read
        # the same: neither the answer nor its time tells who has an account.
        stored = row["password_hash"] if row is not None else self._dummy_hash()
        if not hashing.verify(self.hasher, stored, password) or row is None:
            raise AccessDenied(WRONG_LOGIN, where="login")
        if self.hasher.check_needs_rehash(row["password_hash"]):
            # Parameters were raised since this hash was made: upgrade it while we have the
            # plain password.
            with self.store.engine.begin() as conn:
                conn.execute(sa.update(users).where(users.c.name == name)
                             .values(password_hash=self.hasher.hash(password)))
        return self.principal(name)

    def _dummy_hash(self) -> str:
        """A hash of a random password with this hasher's parameters, made once."""
        if self._dummy is None:
            self._dummy = self.hasher.hash(secrets.token_urlsafe(16))
        return self._dummy

    def principal(self, name: str) -> Principal:
        """The principal of a user with the roles valid now (for a session: call it on every
        request, so an expired or revoked role ends access at once)."""
        at = self.clock()
        with self.store.engine.connect() as conn:
            row = conn.execute(sa.select(users).where(users.c.name == name)).mappings().first()
            if row is None:
                raise AccessDenied(f"unknown user {name!r}", where="access")
            held = _grants(conn, name)
        active = frozenset(g.role for g in held if g.active(at))
        if not active:
            raise AccessDenied(_why_no_role(name, held), where="access")
        return Principal(name, "user", active, bool(row["personal_data"]))

    # -- tokens ------------------------------------------------------------------------------

    def create_token(self, name: str, roles: Iterable[Role], *, personal_data: bool = False,
                     by: str, expires_in_days: int = ROLE_LIFETIME_DAYS) -> str:
        """A new API token for the machine ``name``; the plain token is returned only here."""
        name = _valid_name(name)
        scoped = sorted({Role(r).value for r in roles})
        if not scoped:
            raise AccessDenied("a token needs at least one role", where="access")
        if not 0 < expires_in_days <= ROLE_LIFETIME_DAYS:
            raise AccessDenied(f"token lifetime {expires_in_days} days: must be 1 to "
                               f"{ROLE_LIFETIME_DAYS}", where="access")
        plain, token_id, secret = hashing.new_token()
        at = self.clock()
        expires = at + timedelta(days=expires_in_days)
        with self.store.engine.begin() as conn:
            conn.execute(sa.insert(tokens).values(
                token_id=token_id, name=name, secret_hash=self.hasher.hash(secret),
                roles=",".join(scoped), personal_data=personal_data, created_at=at,
                created_by=by, expires_at=expires, revoked_at=None))
            _audit(conn, by, "token.create", f"token {name}",
                   f"token {token_id} with {', '.join(scoped)} until {expires.date()}",
                   {"token_id": token_id, "roles": scoped, "personal_data": personal_data},
                   at)
        return plain

    def revoke_tokens(self, name: str, *, by: str) -> int:
        """Revoke every live token of ``name``; how many were revoked."""
        at = self.clock()
        with self.store.engine.begin() as conn:
            count = conn.execute(sa.update(tokens).where(
                tokens.c.name == name, tokens.c.revoked_at.is_(None)).values(
                revoked_at=at)).rowcount
            if count:
                _audit(conn, by, "token.revoke", f"token {name}", f"{count} token(s) revoked",
                       {"count": count}, at)
        return int(count)

    def authenticate_token(self, token: str) -> Principal:
        parts = hashing.split_token(token.strip())
        if parts is None:
            raise AccessDenied("bad token: not a gridhub API token (ghk_...)", where="token")
        with self.store.engine.connect() as conn:
            row = conn.execute(sa.select(tokens).where(
                tokens.c.token_id == parts[0])).mappings().first()
        if row is None or not hashing.verify(self.hasher, row["secret_hash"], parts[1]):
            raise AccessDenied("bad token: unknown or wrong secret", where="token")
        if row["revoked_at"] is not None:
            raise AccessDenied(f"token of {row['name']!r} was revoked on "
                               f"{row['revoked_at'].date()}: ask an admin for a new one",
                               where="token")
        if self.clock() >= row["expires_at"]:
            raise AccessDenied(f"token of {row['name']!r} expired on "
                               f"{row['expires_at'].date()}: ask an admin for a new one",
                               where="token")
        roles = frozenset(Role(r) for r in row["roles"].split(","))
        return Principal(row["name"], "token", roles, bool(row["personal_data"]))

    # -- listings ----------------------------------------------------------------------------

    def expiring(self, within_days: int = WARN_DAYS, *, at: datetime | None = None
                 ) -> list[Grant]:
        """Grants that expire within ``within_days`` of ``at`` (default now; not yet expired),
        soonest first. Each is logged as a warning once per day, so the user and the admins
        can act in time (hub/access/warn.py mails them)."""
        at = at or self.clock()
        with self.store.engine.connect() as conn:
            rows = conn.execute(sa.select(grants).where(
                grants.c.expires_at > at,
                grants.c.expires_at <= at + timedelta(days=within_days))
                .order_by(grants.c.expires_at, grants.c.user_name)).mappings().all()
        found = [_grant(r) for r in rows]
        self._warn_once(found, at)
        return found

    def expiring_counts(self, within_days: int = WARN_DAYS) -> dict[Role, int]:
        """How many grants of each role end within ``within_days`` (not yet ended): the
        gauge an alert watches. Unlike :meth:`expiring` it records and logs nothing."""
        at = self.clock()
        counts = dict.fromkeys(Role, 0)
        with self.store.engine.connect() as conn:
            rows = conn.execute(sa.select(grants.c.role, sa.func.count()).where(
                grants.c.expires_at > at,
                grants.c.expires_at <= at + timedelta(days=within_days))
                .group_by(grants.c.role)).all()
        for role, count in rows:
            counts[Role(role)] = int(count)
        return counts

    def users(self) -> list[UserInfo]:
        with self.store.engine.connect() as conn:
            rows = conn.execute(sa.select(users).order_by(users.c.name)).mappings().all()
            held: dict[str, list[Grant]] = {}
            for g in conn.execute(sa.select(grants).order_by(grants.c.role)).mappings():
                held.setdefault(g["user_name"], []).append(_grant(g))
        return [UserInfo(r["name"], r["email"], bool(r["personal_data"]),
                         tuple(held.get(r["name"], ())), r["created_at"]) for r in rows]

    def _warn_once(self, found: Sequence[Grant], at: datetime) -> None:
        day = at.date().isoformat()
        for grant in found:
            with self.store.engine.begin() as conn:
                key = (warnings.c.user_name == grant.user, warnings.c.role == grant.role.value,
                       warnings.c.day == day)
                if conn.scalar(sa.select(sa.func.count()).select_from(warnings).where(*key)):
                    continue
                conn.execute(sa.insert(warnings).values(
                    user_name=grant.user, role=grant.role.value, day=day))
            # No user name here (logs carry no personal data): `gridhub users list` says who.
            log.warning("role expires soon", role=grant.role.value,
                        expires_on=grant.expires_at.date().isoformat(),
                        days_left=grant.days_left(at),
                        hint="an admin renews with `gridhub users renew USER ROLE`; "
                             "`gridhub users list` shows whose")

    def _require_user(self, conn: sa.Connection, name: str) -> None:
        if conn.scalar(sa.select(users.c.name).where(users.c.name == name)) is None:
            raise AccessDenied(f"unknown user {name!r}: add it first (gridhub users add)",
                               where="access")


def _grant(row: Any) -> Grant:
    return Grant(row["user_name"], Role(row["role"]), row["granted_at"], row["expires_at"],
                 row["granted_by"])


def _grants(conn: sa.Connection, name: str) -> list[Grant]:
    stmt = sa.select(grants).where(grants.c.user_name == name).order_by(grants.c.role)
    return [_grant(r) for r in conn.execute(stmt).mappings()]


def _why_no_role(name: str, held: Sequence[Grant]) -> str:
    if not held:
        return f"user {name!r} has no role: ask an admin to grant one"
    latest = max(held, key=lambda g: g.expires_at)
    return (f"role {latest.role} of {name!r} expired on {latest.expires_at.date()} "
            "(ask an admin to renew)")


def _audit(conn: sa.Connection, by: str, action: str, subject: str, reason: str,
           detail: dict[str, Any], at: datetime) -> None:
    """An ops_audit row, in the caller's transaction."""
    if not by.strip():
        raise AccessDenied(f"{action} of {subject}: who is acting (by) is required",
                           where="access")
    record(conn, [AuditEntry(actor=by, action=action, subject=subject, reason=reason,
                             detail=detail, at=at)])


def _valid_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 120 or any(c.isspace() for c in name):
        raise AccessDenied(f"name {name!r}: 1 to 120 characters without spaces",
                           where="access")
    return name


def _non_empty(password: str) -> None:
    if not password:
        raise AccessDenied("empty password", where="access")


def _valid_email(email: str | None) -> str | None:
    """One address (local@domain) or None; expiry warnings go there."""
    if email is None or not email.strip():
        return None
    email = email.strip()
    local, at, domain = email.rpartition("@")
    if not at or not local or "." not in domain.strip(".") or len(email) > 254 or any(
            c.isspace() or c in "<>,;" for c in email):
        raise AccessDenied(f"e-mail {email!r}: one address like maria@nat.example",
                           where="access")
    return email
