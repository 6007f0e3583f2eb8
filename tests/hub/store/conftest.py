"""Every store test runs on SQLite (a tmp file) and on PostgreSQL (a fresh schema per test)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from hub.store import Store

DEFAULT_PG_URL = "postgresql+psycopg://gridhub:gridhub@127.0.0.1:5432/gridhub_test"


@pytest.fixture(scope="session")
def _store_pg_url(request: pytest.FixtureRequest) -> str:
    """The session's PostgreSQL: ``pg_url`` from tests/conftest.py when it exists, else
    $GRIDHUB_TEST_PG_URL, else the local development cluster."""
    try:
        return str(request.getfixturevalue("pg_url"))
    except pytest.FixtureLookupError:
        return os.environ.get("GRIDHUB_TEST_PG_URL", DEFAULT_PG_URL)


@pytest.fixture
def pg_schema_url(_store_pg_url: str) -> Iterator[str]:
    """A URL whose connections see only a new, empty schema; dropped after the test."""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(_store_pg_url, connect_args={"connect_timeout": 5},
                             poolclass=sa.pool.NullPool)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = sa.make_url(_store_pg_url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'gridhub.db'}"
    return str(request.getfixturevalue("pg_schema_url"))


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = Store(store_url)
    s.open()
    try:
        yield s
    finally:
        s.close()
