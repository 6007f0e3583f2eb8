"""The operations audit log: who did what, when and why (replay, discard, reveal, pause ...).

Rows are written in the same transaction as the change they describe, so an operation that
happened is always audited and an audit row never describes something that was rolled back.
"""

from __future__ import annotations

import getpass
import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from hub.store.tables import BigId, UtcDateTime, metadata

ACTIONS = ("replay", "discard", "reveal", "pause", "resume", "approve", "reject",
           # access control (hub/access)
           "user.add", "user.password", "user.personal_data", "role.grant", "role.renew",
           "role.revoke", "token.create", "token.revoke", "user.email",
           # the web's login throttling (hub/web/throttle.py)
           "login.lockout",
           # data retention (hub/retention.py)
           "purge")
ACTOR_ENV = "GRIDHUB_ACTOR"

audit = sa.Table(
    "ops_audit", metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("at", UtcDateTime, nullable=False, index=True),
    sa.Column("actor", sa.String, nullable=False),
    sa.Column("action", sa.String, nullable=False),
    sa.Column("subject", sa.String, nullable=False),  # "dead-letter 12", "connector kis"
    # No foreign key: the audit must outlive any future purge of dead letters.
    sa.Column("dead_letter_id", BigId, index=True),
    sa.Column("reason", sa.String, nullable=False),
    sa.Column("detail", sa.JSON, nullable=False),
    sqlite_autoincrement=True,
)


@dataclass(frozen=True, kw_only=True)
class AuditEntry:
    """One thing an operator did."""

    actor: str
    action: str
    subject: str
    reason: str
    detail: dict[str, Any] = field(default_factory=dict)
    dead_letter_id: int | None = None
    at: datetime | None = None  # set when recorded if None
    id: int | None = None  # set by the store


_FIELDS = ("actor", "action", "subject", "reason", "detail", "dead_letter_id", "at")


def current_actor() -> str:
    """Who is acting: $GRIDHUB_ACTOR (set by a web session or a wrapper), else user@host."""
    named = os.environ.get(ACTOR_ENV, "").strip()
    if named:
        return named
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, e.g. a container with a random uid
        user = f"uid {os.getuid()}"
    return f"{user}@{socket.gethostname()}"


def record(conn: sa.Connection, entries: Sequence[AuditEntry]) -> None:
    """Write ``entries`` in the caller's transaction."""
    if not entries:
        return
    at = datetime.now(UTC)
    rows = []
    for entry in entries:
        if entry.action not in ACTIONS:
            raise ValueError(f"audit action {entry.action!r} is not one of {', '.join(ACTIONS)}")
        if not entry.actor or not entry.reason.strip():
            raise ValueError(f"audit of {entry.action} {entry.subject}: actor and reason are "
                             "required")
        rows.append({f: getattr(entry, f) for f in _FIELDS} | {"at": entry.at or at})
    conn.execute(sa.insert(audit), rows)


def entries(conn: sa.Connection, *, dead_letter_id: int | None = None,
            action: str | None = None, subject: str | None = None,
            limit: int = 100) -> list[AuditEntry]:
    """The latest audit rows matching every filter given, newest first."""
    conditions: list[Any] = []
    if dead_letter_id is not None:
        conditions.append(audit.c.dead_letter_id == dead_letter_id)
    if action is not None:
        conditions.append(audit.c.action == action)
    if subject is not None:
        conditions.append(audit.c.subject == subject)
    stmt = sa.select(audit).where(*conditions).order_by(audit.c.id.desc()).limit(limit)
    return [AuditEntry(**row) for row in conn.execute(stmt).mappings()]
