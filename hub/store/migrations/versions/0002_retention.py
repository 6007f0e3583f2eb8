"""Retention: cases.erased_at and dead_letter.settled_at.

``erased_at``: when retention erased the personal data of a closed case. ``settled_at``: when a
dead letter was replayed or discarded; existing settled ones get the time of the audited
replay or discard that settled them (their last failure when no audit row says).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch_op:
        batch_op.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("dead_letter") as batch_op:
        batch_op.add_column(sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE dead_letter SET settled_at = COALESCE("
        "(SELECT MAX(a.at) FROM ops_audit a WHERE a.dead_letter_id = dead_letter.id"
        " AND a.action IN ('replay', 'discard')), last_failure_at)"
        " WHERE status <> 'open'")


def downgrade() -> None:
    with op.batch_alter_table("dead_letter") as batch_op:
        batch_op.drop_column("settled_at")
    with op.batch_alter_table("cases") as batch_op:
        batch_op.drop_column("erased_at")
