"""The access tables, on the store's metadata (like the ops tables) so one ``create_all``
makes them on SQLite and PostgreSQL alike. Only hashes of passwords and tokens are kept."""

from __future__ import annotations

import sqlalchemy as sa

from hub.store import Store
from hub.store.tables import UtcDateTime, metadata

# Serialises table creation when several processes start at once on PostgreSQL.
_CREATE_LOCK = 0x61636373  # "accs"

users = sa.Table(
    "access_user", metadata,
    sa.Column("name", sa.String, primary_key=True),
    sa.Column("email", sa.String),
    sa.Column("password_hash", sa.String, nullable=False),
    sa.Column("personal_data", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("created_by", sa.String, nullable=False),
)

# One row per (user, role): a renewal moves the dates, a revoke deletes the row (the audit
# log keeps the history).
grants = sa.Table(
    "access_grant", metadata,
    sa.Column("user_name", sa.String, sa.ForeignKey("access_user.name", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("role", sa.String, primary_key=True),
    sa.Column("granted_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False, index=True),
    sa.Column("granted_by", sa.String, nullable=False),
)

tokens = sa.Table(
    "access_token", metadata,
    sa.Column("token_id", sa.String, primary_key=True),  # public part of the token
    sa.Column("name", sa.String, nullable=False, index=True),  # the machine it is for
    sa.Column("secret_hash", sa.String, nullable=False),
    sa.Column("roles", sa.String, nullable=False),  # comma-separated Role values
    sa.Column("personal_data", sa.Boolean, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("created_by", sa.String, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False),
    sa.Column("revoked_at", UtcDateTime),
)

# "Role expires soon" is logged once per grant and day, across every process of the hub.
warnings = sa.Table(
    "access_warning", metadata,
    sa.Column("user_name", sa.String, primary_key=True),
    sa.Column("role", sa.String, primary_key=True),
    sa.Column("day", sa.String, primary_key=True),  # ISO date, UTC
)

ACCESS_TABLES = (users, grants, tokens, warnings)


def ensure_tables(store: Store) -> None:
    """Create the access tables (and the audit table they write to) if missing."""
    from hub.ops.audit import audit

    with store.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_CREATE_LOCK)))
        metadata.create_all(conn, tables=[*ACCESS_TABLES, audit])
