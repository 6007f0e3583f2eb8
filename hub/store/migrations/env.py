"""Alembic's entry point: migrate the connection ``hub.store.schema`` hands over (or, when
run another way, the ``sqlalchemy.url`` of the config) to the revision asked for."""

from __future__ import annotations

from typing import Any, Literal

import sqlalchemy as sa
from alembic import context

from hub.store.engine import make_engine
from hub.store.migrations import all_tables
from hub.store.tables import UtcDateTime


def _render_item(kind: str, obj: Any, _autogen: Any) -> str | Literal[False]:
    # A migration freezes the DDL it makes: UtcDateTime is DateTime(timezone=True) in the
    # database, and the migration must not change when the Python type does. A downgrade's
    # types are reflected from the scratch SQLite database (DATETIME, which PostgreSQL lacks):
    # every store timestamp is a UtcDateTime, so it is written as one for both databases.
    if kind == "type" and isinstance(obj, UtcDateTime | sa.DateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _run(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=all_tables(),
        # SQLite alters a table by copying it: autogenerate writes batch operations there.
        render_as_batch=connection.dialect.name == "sqlite",
        render_item=_render_item,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(context.config.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


main()
