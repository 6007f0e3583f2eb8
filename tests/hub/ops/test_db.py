import sqlalchemy as sa

from hub.ops.audit import entries
from hub.ops.db import OPS_TABLES, open_store, reading
from hub.ops.pause import pauses
from hub.store.tables import metadata


def test_the_ops_tables_are_added_to_a_store_created_without_them(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = sa.create_engine(url)
    ops = {t.name for t in OPS_TABLES}
    metadata.create_all(engine, tables=[t for t in metadata.sorted_tables if t.name not in ops])
    assert not ops & set(sa.inspect(engine).get_table_names())
    engine.dispose()
    store = open_store(url)
    try:
        with reading(store) as conn:
            assert entries(conn) == [] and pauses(conn) == {}
    finally:
        store.close()
