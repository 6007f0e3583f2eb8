"""Ops tests: a real store (SQLite file, and PostgreSQL in a fresh schema), real dead letters."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import click
import pytest
import sqlalchemy as sa

from hub import codec
from hub.cli import main
from hub.errors import RemoteFault, TargetRejected
from hub.ops.db import open_store
from hub.store import DeadLetterRow, Store
from hub.tracing import dead_letter
from schemas.envelope import Envelope


@pytest.fixture
def pg_schema_url(pg_url: str) -> Iterator[str]:
    """A URL whose connections see only a new, empty schema; dropped after the test."""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(pg_url, poolclass=sa.pool.NullPool)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = sa.make_url(pg_url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path) -> Iterator[Store]:
    """An open store with the ops tables, on each database."""
    url = (f"sqlite:///{tmp_path / 'gridhub.db'}" if request.param == "sqlite"
           else str(request.getfixturevalue("pg_schema_url")))
    s = open_store(url)
    try:
        yield s
    finally:
        s.close()


def rejected(connector: str = "alpha", status: str = "422") -> TargetRejected:
    """What the webhook connector raises for a 4xx answer."""
    return TargetRejected(f"HTTP {status} from the target", where=connector,
                          remote=RemoteFault(kind="http", status=status,
                                             body_excerpt='{"error": "rejected"}'))


def add_dead_letter(store: Store, env: Envelope, *, connector: str = "alpha",
                    route: str | None = "submitted-to-alpha", exc: Exception | None = None,
                    headers: dict[str, Any] | None = None, body: bytes | None = None) -> int:
    """Store the dead letter the delivery stage (or the hub stage, connector "hub") writes."""
    row: DeadLetterRow = dead_letter(
        exc or rejected(connector), body=body if body is not None else codec.encode(env),
        headers=headers if headers is not None else {codec.H_ROUTE: route, codec.H_ATTEMPT: 3,
                                                     codec.H_SCHEDULED_ID: 7},
        envelope=env, connector=connector, route=route, attempts=3)
    with store.transaction() as tx:
        [dl_id] = tx.add_dead_letters([row])
    return dl_id


def gridhub_group() -> click.Group:
    """The real ``gridhub`` group (hub/cli.py); settings come from GRIDHUB_* variables."""
    return main


ROUTES = """\
  - name: submitted-to-alpha
    match: {type: case.submitted}
    to: [alpha]
    retry: fast
  - name: notes-to-alpha
    match: {type: case.note.added}
    to: [alpha]
    retry: fast
"""


def hub_settings(tmp_path, broker_url: str, namespace: str, alpha_url: str) -> Any:
    """Settings of a hub with one webhook connector, ``alpha``, posting to ``alpha_url``."""
    from tests.support.hubrun import routes_yaml, settings_for

    return settings_for(tmp_path, broker_url, namespace, routes_yaml({"alpha": alpha_url}, ROUTES))


def cli_env(settings: Any) -> dict[str, str]:
    """The environment that points ``gridhub`` at the hub of ``settings``."""
    return {"GRIDHUB_BROKER_URL": settings.broker_url, "GRIDHUB_STORE_URL": settings.store_url,
            "GRIDHUB_ROUTES": str(settings.routes), "GRIDHUB_NAMESPACE": settings.namespace,
            "GRIDHUB_ACTOR": "maria.holm@drift"}
