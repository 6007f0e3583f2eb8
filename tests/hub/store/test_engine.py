import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from hub.store.engine import READ_ONLY, SQLITE_BUSY_TIMEOUT_MS, dumps, make_engine, safe_url


def test_sqlite_runs_in_wal_with_normal_sync_and_a_busy_timeout(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'gridhub.db'}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == SQLITE_BUSY_TIMEOUT_MS
    finally:
        engine.dispose()


def test_sqlite_writers_take_the_write_lock_at_begin(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'gridhub.db'}")
    try:
        with engine.begin() as writer:
            writer.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        with engine.connect() as a, engine.connect() as b, engine.connect() as c:
            a.begin()
            # a holds the write lock without having written anything yet
            b.connection.driver_connection.execute("PRAGMA busy_timeout=50")
            with pytest.raises(sa.exc.OperationalError, match="locked"):
                b.begin()
            reader = c.execution_options(**{READ_ONLY: True})
            with reader.begin():  # a reader never waits for the writer
                assert reader.exec_driver_sql("SELECT count(*) FROM t").scalar() == 0
            a.rollback()
    finally:
        engine.dispose()


def test_json_columns_accept_header_values_the_broker_may_carry():
    text = dumps({"at": datetime(2024, 3, 14, 8, 30, tzinfo=UTC), "day": date(2024, 3, 14),
                  "amount": Decimal("1500.50"), "raw": b"\xc3\xa5", "ids": ("a", "b"),
                  "namn": "Åsa"})
    assert json.loads(text) == {"at": "2024-03-14T08:30:00+00:00", "day": "2024-03-14",
                                "amount": "1500.50", "raw": "å", "ids": ["a", "b"],
                                "namn": "Åsa"}


def test_safe_url_masks_the_password():
    masked = safe_url("postgresql+psycopg://gridhub:hemligt@127.0.0.1:5432/gridhub")
    assert "hemligt" not in masked and "gridhub:***@127.0.0.1" in masked
    assert safe_url("not a url") == "<unparseable store url>"
