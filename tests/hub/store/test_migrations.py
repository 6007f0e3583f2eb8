"""Schema migrations: a store made by gridhub 0.1.0 (kept as SQL dumps in ``legacy/``) upgrades
with every row kept, the migrations make exactly the tables the code defines, and a store
whose schema is not current is refused with the command to run. SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from hub.access import Access
from hub.store import Store, schema
from hub.store.engine import make_engine
from hub.store.migrations import all_tables
from hub.store.schema import SchemaOutOfDate, SchemaState
from schemas.projection import CaseState
from tests.factories import T0

LEGACY = Path(__file__).parent / "legacy"
# Tables of 0.1.0 that a later migration drops on purpose, rows and all, with why. Every other
# row of the 0.1.0 store must come through every migration.
DROPPED: dict[str, str] = {
    # 0003: the per-name lockout became a throttle per name and client address (issue 13
    # item 6); counts of failed logins are worth nothing across the change
    "access_login_failure": "replaced by access_login_throttle",
}


def load_release_store(url: str) -> None:
    """Fill the empty database at ``url`` from the 0.1.0 dump of its dialect."""
    dialect = sa.make_url(url).get_backend_name()
    sql = (LEGACY / f"release-0.1.0.{dialect}.sql").read_text(encoding="utf-8")
    if dialect == "sqlite":  # sqlite3 itself: the dump's order ignores foreign keys
        with contextlib.closing(sqlite3.connect(sa.make_url(url).database or "")) as conn:
            conn.executescript(sql)
        return
    engine = make_engine(url)
    raw = engine.raw_connection()
    try:
        raw.driver_connection.execute(sql)
        raw.commit()
    finally:
        raw.close()
        engine.dispose()


Rows = dict[str, list[tuple[object, ...]]]


def every_row(url: str, like: Rows | None = None) -> Rows:
    """Every row of every table but Alembic's, as the database returns it, in a fixed order;
    with ``like``, only its tables and the columns they had (later migrations add some)."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            names = sorted(set(sa.inspect(conn).get_table_names()) - {"alembic_version"})
            if like is not None:
                names = sorted(set(like) - set(DROPPED))
            found: Rows = {}
            for name in names:
                table = sa.Table(name, sa.MetaData(), autoload_with=conn)
                columns = list(table.c) if like is None else list(table.c)[:len(like[name][0])]
                rows = conn.execute(sa.select(*columns)).all()
                found[name] = [tuple(c.name for c in columns),
                               *sorted((tuple(r) for r in rows), key=repr)]
            return found
    finally:
        engine.dispose()


def upgrade(url: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            schema.upgrade(conn)
    finally:
        engine.dispose()


def test_a_release_store_is_refused_until_upgraded_then_keeps_every_row(store_url: str) -> None:
    load_release_store(store_url)
    before = every_row(store_url)
    assert {n: len(rows) - 1 for n, rows in before.items() if n in (
        "cases", "trace", "dead_letter", "access_user", "access_token", "ops_audit")} == {
        "cases": 5, "trace": 10, "dead_letter": 4, "access_user": 2, "access_token": 2,
        "ops_audit": 7}

    with pytest.raises(SchemaOutOfDate, match="gridhub db upgrade"):
        Store(store_url).open()
    assert every_row(store_url) == before  # refusing changed nothing

    upgrade(store_url)
    assert every_row(store_url, like=before) == {
        name: rows for name, rows in before.items() if name not in DROPPED}
    store = Store(store_url)
    store.open()
    try:
        with store.engine.connect() as conn:
            assert schema.status(conn).state is SchemaState.CURRENT
        letters = store.dead_letters(status=None)
        assert len(letters) == 4
        # 0002: settled ones count from their last failure (no audit row says otherwise)
        assert {(d.status, d.settled_at == (d.last_failure_at if d.status != "open" else None))
                for d in letters} == {("open", True), ("discarded", True), ("replayed", True)}
        # the cases load as the hub loads them
        states = [CaseState.model_validate(c.state)
                  for c in (store.case(f"SE-{1000 + i}") for i in range(5)) if c]
        assert [str(st.status) for st in states] == [
            "submitted", "archived", "cancelled", "approved", "archived"]
        # the password hash came through: anna still logs in (at the time the dump was made)
        anna = Access(store, clock=lambda: T0).authenticate("anna", "hemligt-lösen-1")
        assert anna.name == "anna" and {r.value for r in anna.roles} == {"operator"}
    finally:
        store.close()


def test_the_migrations_make_exactly_the_tables_the_code_defines(store_url: str) -> None:
    """Fails when a table, column, index or type changes in the code without a migration:
    write one with `gridhub db revision -m ...` (README, "Operating gridhub")."""
    upgrade(store_url)
    assert migration_drift(store_url, all_tables()) == []


def test_the_drift_check_sees_a_column_added_without_a_migration(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'g.db'}"
    upgrade(url)
    changed = sa.MetaData()
    for table in all_tables().sorted_tables:
        table.to_metadata(changed)
    changed.tables["cases"].append_column(sa.Column("closed_at", sa.DateTime(timezone=True)))
    drift = migration_drift(url, changed)
    assert [(d[0], d[2], d[3].name) for d in drift] == [("add_column", "cases", "closed_at")]


def migration_drift(url: str, metadata: sa.MetaData) -> list[tuple[object, ...]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return [d for d in compare_metadata(context, metadata)
                    if not (isinstance(d, tuple) and d[0] == "remove_table"
                            and d[1].name == "alembic_version")]
    finally:
        engine.dispose()


def test_an_early_release_store_gets_the_tables_and_column_it_lacks(store_url: str) -> None:
    """0.1.0 made the ops and access tables only when those parts ran, and added
    access_warning.mailed_at by hand: the baseline adopts such a store too."""
    load_release_store(store_url)
    engine = make_engine(store_url)
    with engine.begin() as conn:
        for name in ("ops_audit", "connector_pause"):
            conn.exec_driver_sql(f"DROP TABLE {name}")
        conn.exec_driver_sql("ALTER TABLE access_warning DROP COLUMN mailed_at")
    engine.dispose()
    upgrade(store_url)
    assert migration_drift(store_url, all_tables()) == []
    assert every_row(store_url)["access_warning"][1:] == [("anna", "operator", "2026-11-01", None)]


def test_a_store_that_release_never_made_is_not_adopted(store_url: str) -> None:
    load_release_store(store_url)
    engine = make_engine(store_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE trace DROP COLUMN detail")
        conn.exec_driver_sql("DROP TABLE connector_pause")  # would be made: rolled back too
    engine.dispose()
    before = every_row(store_url)
    with pytest.raises(RuntimeError, match=r"lacks trace\.detail: it was not made by gridhub"):
        upgrade(store_url)
    assert every_row(store_url) == before
    engine = make_engine(store_url)
    with engine.connect() as conn:
        assert schema.status(conn).state is SchemaState.UNVERSIONED
    engine.dispose()


def test_a_store_migrated_by_a_newer_gridhub_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'g.db'}"
    upgrade(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0042'")
    engine.dispose()
    with pytest.raises(SchemaOutOfDate, match="revision 0042, which this gridhub does not know"):
        Store(url).open()
