"""Baseline: the schema of gridhub 0.1.0, the last release made with ``create_all``.

On an empty database it makes every table. On a store made by 0.1.0 (no ``alembic_version``)
it adopts what is there: makes the tables that release only made when a part of it ran
(ops, access), adds ``access_warning.mailed_at`` (added to 0.1.0 stores by a hand-written
ALTER TABLE), then checks that every table has every column of the baseline before Alembic
stamps it. Anything else missing stops the upgrade, naming it: such a store was not made by
gridhub 0.1.0, and guessing would put data at risk.

The tables are written out here, not imported: this migration must make today's schema
whatever the code's tables become.

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Utc = sa.DateTime(timezone=True)


def _id() -> sa.Column[int]:
    return sa.Column("id", BigId, primary_key=True, autoincrement=True)


def baseline() -> sa.MetaData:
    """The 0.1.0 schema."""
    m = sa.MetaData()
    sa.Table("seen", m,
             sa.Column("consumer", sa.String, primary_key=True),
             sa.Column("message_id", sa.String, primary_key=True),
             sa.Column("seen_at", Utc, nullable=False, index=True))
    sa.Table("outbox", m,
             sa.Column("seq", BigId, primary_key=True, autoincrement=True),
             sa.Column("input_id", sa.String, nullable=False, index=True),
             sa.Column("message_id", sa.String, nullable=False),
             sa.Column("destination", sa.String, nullable=False),
             sa.Column("body", sa.LargeBinary, nullable=False),
             sa.Column("headers", sa.JSON, nullable=False),
             sa.Column("created_at", Utc, nullable=False, index=True),
             sqlite_autoincrement=True)
    sa.Table("cases", m,
             sa.Column("case_id", sa.String, primary_key=True),
             sa.Column("status", sa.String, nullable=False),
             sa.Column("flow", sa.String, nullable=False),
             sa.Column("state", sa.JSON, nullable=False),
             sa.Column("keys", sa.JSON, nullable=False),
             sa.Column("last_message_id", sa.String),
             sa.Column("updated_at", Utc, nullable=False),
             sa.Column("version", sa.Integer, nullable=False))
    sa.Table("case_key", m,
             sa.Column("case_id", sa.String, primary_key=True),
             sa.Column("kind", sa.String, primary_key=True),
             sa.Column("value", sa.String, primary_key=True),
             sa.Index("ix_case_key_value", "value"))
    sa.Table("trace", m, _id(),
             sa.Column("message_id", sa.String, nullable=False, index=True),
             sa.Column("case_id", sa.String, nullable=False),
             sa.Column("type", sa.String, nullable=False),
             sa.Column("hop", sa.String, nullable=False),
             sa.Column("source", sa.String, nullable=False),
             sa.Column("target", sa.String),
             sa.Column("route", sa.String),
             sa.Column("outcome", sa.String, nullable=False),
             sa.Column("attempt", sa.Integer, nullable=False),
             sa.Column("at", Utc, nullable=False),
             sa.Column("detail", sa.String),
             sa.Column("keys", sa.JSON, nullable=False),
             sa.Index("ix_trace_case_at", "case_id", "at"),
             sqlite_autoincrement=True)
    _dead_letters(m)
    _delivery(m)
    _ops(m)
    _access(m)
    return m


def _dead_letters(m: sa.MetaData) -> None:
    sa.Table("dead_letter", m, _id(),
             sa.Column("message_id", sa.String, index=True),
             sa.Column("case_id", sa.String, index=True),
             sa.Column("message_type", sa.String),
             sa.Column("route", sa.String),
             sa.Column("connector", sa.String, nullable=False),
             sa.Column("body", sa.LargeBinary, nullable=False),
             sa.Column("headers", sa.JSON, nullable=False),
             sa.Column("attempts", sa.Integer, nullable=False),
             sa.Column("first_failure_at", Utc, nullable=False),
             sa.Column("last_failure_at", Utc, nullable=False),
             sa.Column("exception_type", sa.String, nullable=False),
             sa.Column("exception_message", sa.String, nullable=False),
             sa.Column("where", sa.String),
             sa.Column("remote_fault", sa.JSON),
             sa.Column("fingerprint", sa.String, nullable=False),
             sa.Column("status", sa.String, nullable=False),
             sa.Column("replay_count", sa.Integer, nullable=False),
             sa.Column("keys", sa.JSON, nullable=False),
             sa.Column("created_at", Utc, nullable=False),
             sa.Index("ix_dead_letter_status_fingerprint", "status", "fingerprint"),
             sqlite_autoincrement=True)
    sa.Table("dead_letter_key", m,
             sa.Column("dead_letter_id", BigId, sa.ForeignKey("dead_letter.id"),
                       primary_key=True),
             sa.Column("kind", sa.String, primary_key=True),
             sa.Column("value", sa.String, primary_key=True),
             sa.Index("ix_dead_letter_key_value", "value"))


def _delivery(m: sa.MetaData) -> None:
    sa.Table("scheduled", m, _id(),
             sa.Column("destination", sa.String, nullable=False),
             sa.Column("case_id", sa.String, nullable=False),
             sa.Column("message_id", sa.String, nullable=False),
             sa.Column("route", sa.String),
             sa.Column("body", sa.LargeBinary, nullable=False),
             sa.Column("headers", sa.JSON, nullable=False),
             sa.Column("attempt", sa.Integer, nullable=False),
             sa.Column("first_failure_at", Utc),
             sa.Column("last_error", sa.String),
             sa.Column("due_at", Utc, index=True),
             sa.Index("ix_scheduled_pair", "destination", "case_id", "id"),
             sqlite_autoincrement=True)
    sa.Table("delivered", m,
             sa.Column("destination", sa.String, primary_key=True),
             sa.Column("message_id", sa.String, primary_key=True),
             sa.Column("delivered_at", Utc, nullable=False))
    sa.Table("aggregation", m,
             sa.Column("key", sa.String, primary_key=True),
             sa.Column("route", sa.String, nullable=False),
             sa.Column("expires_at", Utc, nullable=False, index=True))
    sa.Table("aggregation_part", m,
             sa.Column("key", sa.String, primary_key=True),
             sa.Column("part_type", sa.String, primary_key=True),
             sa.Column("message", sa.JSON, nullable=False))
    sa.Table("hub_member", m,
             sa.Column("namespace", sa.String, primary_key=True),
             sa.Column("worker_id", sa.String, primary_key=True),
             sa.Column("seen_at", Utc, nullable=False))


def _ops(m: sa.MetaData) -> None:
    sa.Table("ops_audit", m,
             sa.Column("id", BigId, primary_key=True, autoincrement=True),
             sa.Column("at", Utc, nullable=False, index=True),
             sa.Column("actor", sa.String, nullable=False),
             sa.Column("action", sa.String, nullable=False),
             sa.Column("subject", sa.String, nullable=False),
             sa.Column("dead_letter_id", BigId, index=True),
             sa.Column("reason", sa.String, nullable=False),
             sa.Column("detail", sa.JSON, nullable=False),
             sqlite_autoincrement=True)
    sa.Table("connector_pause", m,
             sa.Column("connector", sa.String, primary_key=True),
             sa.Column("paused_at", Utc, nullable=False),
             sa.Column("paused_by", sa.String, nullable=False),
             sa.Column("reason", sa.String, nullable=False))


def _access(m: sa.MetaData) -> None:
    sa.Table("access_user", m,
             sa.Column("name", sa.String, primary_key=True),
             sa.Column("email", sa.String),
             sa.Column("password_hash", sa.String, nullable=False),
             sa.Column("personal_data", sa.Boolean, nullable=False),
             sa.Column("created_at", Utc, nullable=False),
             sa.Column("created_by", sa.String, nullable=False))
    sa.Table("access_grant", m,
             sa.Column("user_name", sa.String,
                       sa.ForeignKey("access_user.name", ondelete="CASCADE"), primary_key=True),
             sa.Column("role", sa.String, primary_key=True),
             sa.Column("granted_at", Utc, nullable=False),
             sa.Column("expires_at", Utc, nullable=False, index=True),
             sa.Column("granted_by", sa.String, nullable=False))
    sa.Table("access_token", m,
             sa.Column("token_id", sa.String, primary_key=True),
             sa.Column("name", sa.String, nullable=False, index=True),
             sa.Column("secret_hash", sa.String, nullable=False),
             sa.Column("roles", sa.String, nullable=False),
             sa.Column("personal_data", sa.Boolean, nullable=False),
             sa.Column("created_at", Utc, nullable=False),
             sa.Column("created_by", sa.String, nullable=False),
             sa.Column("expires_at", Utc, nullable=False),
             sa.Column("revoked_at", Utc))
    sa.Table("access_warning", m,
             sa.Column("user_name", sa.String, primary_key=True),
             sa.Column("role", sa.String, primary_key=True),
             sa.Column("day", sa.String, primary_key=True),
             sa.Column("mailed_at", Utc))
    sa.Table("access_login_failure", m,
             sa.Column("user_name", sa.String, primary_key=True),
             sa.Column("failures", sa.Integer, nullable=False),
             sa.Column("window_start", Utc, nullable=False, index=True),
             sa.Column("locked_until", Utc))


def upgrade() -> None:
    bind = op.get_bind()
    schema = baseline()
    schema.create_all(bind, checkfirst=True)  # on a 0.1.0 store: only the tables it lacks
    present = {c["name"] for c in sa.inspect(bind).get_columns("access_warning")}
    if "mailed_at" not in present:
        op.add_column("access_warning", sa.Column("mailed_at", Utc))
    _check(bind, schema)


def _check(bind: sa.Connection, schema: sa.MetaData) -> None:
    inspector = sa.inspect(bind)
    missing = []
    for table in schema.sorted_tables:
        have = {c["name"] for c in inspector.get_columns(table.name)}
        missing += [f"{table.name}.{c.name}" for c in table.columns if c.name not in have]
    if missing:
        raise RuntimeError(
            f"this store lacks {', '.join(missing)}: it was not made by gridhub 0.1.0, so it "
            "is not adopted. Nothing was changed; compare it with the baseline "
            "(hub/store/migrations/versions/0001_baseline.py) by hand")


def downgrade() -> None:
    bind = op.get_bind()
    baseline().drop_all(bind)
