from hub.store.engine import SQLITE_WAL_AUTOCHECKPOINT, make_engine


def test_sqlite_checkpoints_the_wal_less_often_than_sqlites_default(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'gridhub.db'}")
    try:
        with engine.connect() as conn:
            pages = conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
        assert pages == SQLITE_WAL_AUTOCHECKPOINT > 1000  # SQLite's default is 1,000 pages
    finally:
        engine.dispose()
