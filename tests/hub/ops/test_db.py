import pytest
import sqlalchemy as sa

from hub.ops.audit import entries
from hub.ops.db import OPS_TABLES, ensure_tables, open_store, reading
from hub.ops.pause import pauses
from hub.store.schema import SchemaOutOfDate


def test_a_new_store_has_the_ops_tables_from_the_migrations(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'new.db'}")
    try:
        with reading(store) as conn:
            assert {t.name for t in OPS_TABLES} <= set(sa.inspect(conn).get_table_names())
            assert entries(conn) == [] and pauses(conn) == {}
    finally:
        store.close()


def test_a_store_whose_schema_changed_under_it_is_refused(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'new.db'}")
    try:
        with store.engine.begin() as conn:  # as if another process ran a newer gridhub's upgrade
            conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0042'")
        with pytest.raises(SchemaOutOfDate, match="a newer gridhub migrated it"):
            ensure_tables(store)
    finally:
        store.close()
