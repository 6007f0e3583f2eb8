"""The access tables on a store made before a column was added: ``ensure_tables`` adds it."""

from __future__ import annotations

import sqlalchemy as sa

from hub.access import Access
from hub.store import Store
from tests.hub.access.conftest import cheap_hasher
from tests.hub.ops.conftest import pg_schema_url, store  # noqa: F401 - fixtures reused


def test_an_older_warning_table_gets_the_mailed_at_column(store: Store) -> None:  # noqa: F811
    with store.engine.begin() as conn:  # access_warning as the first release made it
        conn.exec_driver_sql("DROP TABLE IF EXISTS access_warning")
        conn.exec_driver_sql(
            "CREATE TABLE access_warning (user_name VARCHAR NOT NULL, role VARCHAR NOT NULL, "
            "day VARCHAR NOT NULL, PRIMARY KEY (user_name, role, day))")
        conn.exec_driver_sql("INSERT INTO access_warning VALUES ('maria', 'viewer', "
                             "'2026-03-01')")
    access = Access(store, hasher=cheap_hasher())
    access.ensure_tables()
    access.ensure_tables()  # again: nothing left to add
    with store.engine.connect() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("access_warning")}
        rows = conn.exec_driver_sql("SELECT user_name, mailed_at FROM access_warning").all()
    assert "mailed_at" in columns
    assert [tuple(r) for r in rows] == [("maria", None)]
