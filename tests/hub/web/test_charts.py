"""The dashboard charts: per-minute counts of the last hour from real trace rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hub.ops.db import open_store
from hub.store import TraceRow
from hub.web.charts import charts, last_hour
from tests.hub.store.conftest import _store_pg_url, pg_schema_url  # noqa: F401 (fixtures)

NOW = datetime(2026, 3, 14, 3, 0, 30, tzinfo=UTC)


def _hop(n: int, hop: str, minutes_ago: float, target: str | None) -> TraceRow:
    return TraceRow(message_id=f"m{n}", case_id=f"SE-{1000 + n}", type="case.submitted",
                    hop=hop, source="elsmart", target=target,
                    at=NOW - timedelta(minutes=minutes_ago))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path) -> str:
    """The minutes are counted in SQL, in each database's own way."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hub.db'}"
    return str(request.getfixturevalue("pg_schema_url"))


def test_counts_per_minute_and_the_backlog_from_the_trace(url):
    store = open_store(url)
    try:
        rows = [_hop(0, "received", 90, "hub"), _hop(0, "routed", 90, "kis")]  # before window
        for n in range(1, 4):  # three received and routed 10 minutes ago
            rows += [_hop(n, "received", 10, "hub"), _hop(n, "routed", 10, "kis")]
        rows += [_hop(1, "delivered", 5, "kis"), _hop(2, "dead-lettered", 5, "kis"),
                 _hop(9, "dead-lettered", 2, None)]  # the hub refused one
        with store.transaction() as tx:
            tx.add_trace(rows)
        series = last_hour(store, NOW)
    finally:
        store.close()
    assert len(series.received) == 60 and series.start == datetime(2026, 3, 14, 2, 1,
                                                                       tzinfo=UTC)
    assert (series.total_received, series.total_delivered, series.total_failed) == (3, 1, 2)
    assert series.received[-11] == 3 and series.delivered[-6] == 1
    assert series.backlog[-12] == 0 and series.backlog[-11] == 3
    assert series.backlog[-6] == 1 and series.backlog[-1] == 1  # one still on its way
    svg = charts(series)
    assert svg["throughput"].count("<polyline") == 3 and svg["backlog"].startswith("<svg")
    assert ">02:01<" in svg["throughput"] and ">03:01<" in svg["throughput"]
