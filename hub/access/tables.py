"""The access tables, on the store's metadata (like the ops tables), made by the store's
migrations (hub/store/migrations). Only hashes of passwords and tokens are kept."""

from __future__ import annotations

import sqlalchemy as sa

from hub.store import Store, schema
from hub.store.tables import UtcDateTime, metadata

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
# ``mailed_at``: the mailer claimed the row (hub/access/warn.py), so the warning is mailed once
# that day however many processes run the daily trigger; NULL again if sending failed.
warnings = sa.Table(
    "access_warning", metadata,
    sa.Column("user_name", sa.String, primary_key=True),
    sa.Column("role", sa.String, primary_key=True),
    sa.Column("day", sa.String, primary_key=True),  # ISO date, UTC
    sa.Column("mailed_at", UtcDateTime),
)

# Failed logins (hub/web/throttle.py), counted per user name and client address (``client``
# the address) and per user name alone (``client`` "*"). Known or unknown names alike, so a
# refusal says nothing about who exists. In the store, so a lockout holds across restarts and
# every web process.
login_throttle = sa.Table(
    "access_login_throttle", metadata,
    sa.Column("user_name", sa.String, primary_key=True),
    sa.Column("client", sa.String, primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("window_start", UtcDateTime, nullable=False, index=True),
    sa.Column("locked_until", UtcDateTime),
)

# Logged-in web sessions (hub/access/sessions.py). The cookie holds a random id; only its
# SHA-256 is kept, so a copy of the database does not hand out sessions. Deleting the row ends
# the session at once: logout, a password change, a revoked role.
sessions = sa.Table(
    "access_session", metadata,
    sa.Column("id_hash", sa.String, primary_key=True),
    sa.Column("user_name", sa.String, sa.ForeignKey("access_user.name", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("last_seen_at", UtcDateTime, nullable=False, index=True),
)

ACCESS_TABLES = (users, grants, tokens, warnings, login_throttle, sessions)


def ensure_tables(store: Store) -> None:
    """The access tables are made by the store's migrations (``hub.store.schema``); check the
    schema they are in is the one this gridhub knows."""
    with store.engine.connect() as conn:
        schema.require_current(conn)
