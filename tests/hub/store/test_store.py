import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from hub.store import Store
from tests.hub.store.builders import AT, case_row, trace_row, workorder

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def test_datetimes_come_back_aware_in_utc_whatever_offset_went_in(store):
    summer = datetime(2024, 6, 20, 23, 30, tzinfo=STOCKHOLM)  # 21:30 UTC
    env = workorder(1)
    with store.transaction() as tx:
        tx.add_trace([trace_row(env, "received", at=summer)])
        tx.mark_seen("hub", [env.message_id], summer)
    [got] = store.trace(env.case_id)
    assert got.at.tzinfo is not None and got.at.utcoffset() == timedelta(0)
    assert got.at == summer and got.at.hour == 21
    # comparisons use the instant, not the wall time: 21:29 UTC is before 23:30 Stockholm
    assert store.purge_seen(datetime(2024, 6, 20, 21, 29, tzinfo=UTC)) == 0
    assert store.purge_seen(datetime(2024, 6, 20, 21, 31, tzinfo=UTC)) == 1


def test_a_naive_datetime_is_refused(store):
    with pytest.raises(sa.exc.StatementError, match="timezone-aware"), store.transaction() as tx:
        tx.mark_seen("hub", [workorder(1).message_id], datetime(2024, 3, 14, 8, 30))


def test_an_error_rolls_the_whole_transaction_back(store):
    row = case_row(1)
    with pytest.raises(RuntimeError, match="routing failed"), store.transaction() as tx:
        tx.save_cases([row])
        tx.mark_seen("hub", [row.last_message_id], AT)
        raise RuntimeError("routing failed")
    assert store.case(row.case_id) is None
    with store.transaction() as tx:
        assert tx.seen("hub", [row.last_message_id]) == set()


def test_reopening_keeps_the_data_and_open_is_idempotent(store_url):
    first = Store(store_url)
    first.open()
    first.open()
    with first.transaction() as tx:
        tx.save_cases([case_row(1)])
    first.close()
    first.close()
    again = Store(store_url)
    again.open()
    try:
        assert again.case(case_row(1).case_id).version == 1
    finally:
        again.close()


def test_a_store_must_be_opened_first(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'gridhub.db'}")
    assert not (tmp_path / "gridhub.db").exists()  # the constructor does no I/O
    with pytest.raises(RuntimeError, match="not open"):
        store.case("SE-1001")


def test_urls_are_checked_and_passwords_never_shown():
    store = Store("postgresql+psycopg://gridhub:hemligt@db.example.se/gridhub")
    assert "hemligt" not in repr(store)
    with pytest.raises(RuntimeError) as info:
        store.scheduled_count()
    assert "hemligt" not in str(info.value)
    with pytest.raises(ValueError, match="unsupported database 'mysql'") as bad:
        Store("mysql://gridhub:hemligt@db.example.se/gridhub").open()
    assert "hemligt" not in str(bad.value)


def test_sqlite_creates_the_directory_of_its_file(tmp_path):
    path = tmp_path / "var" / "lib" / "gridhub.db"
    store = Store(f"sqlite:///{path}")
    store.open()
    store.close()
    assert path.exists()


def test_parallel_writers_all_commit(store):
    # Many worker threads share one store; on SQLite they must queue for the write lock
    # rather than fail with "database is locked".
    errors: list[BaseException] = []

    def work(seed: int) -> None:
        try:
            for step in range(10):
                env = workorder(seed, step=step)
                with store.transaction() as tx:
                    if not tx.seen("hub", [env.message_id]):
                        tx.add_trace([trace_row(env, "received")])
                        tx.mark_seen("hub", [env.message_id], AT)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads) and errors == []
    assert sum(len(store.trace(workorder(seed).case_id)) for seed in range(6)) == 60
