"""`gridhub demo --cases 12`: the summary's numbers are the store's, every case accounted for."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from click.testing import CliRunner

from hub.cli import main
from hub.demo.cli import register
from hub.demo.clock import LOCAL
from hub.demo.mix import make_mix
from hub.demo.summary import all_cases
from hub.ops.db import reading
from hub.store import Store
from hub.store.tables import trace as trace_t


def _section(output: str, title: str) -> list[list[str]]:
    """The rows of the table under ``title`` (header skipped) as lists of cells."""
    lines = output.split(f"\n{title}\n", 1)[1].split("\n\n", 1)[0].splitlines()
    return [re.split(r"\s{2,}", line.strip()) for line in lines[1:]]


def test_demo_summary_matches_the_store(tmp_path):
    if "demo" not in main.commands:
        register(main)
    run = tmp_path / "run"
    result = CliRunner().invoke(main, ["demo", "--cases", "12", "--seed", "3", "--outage", "2",
                                       "--weeks", "1", "--pace", "0.1",
                                       "--keep", str(run)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "every case accounted for" in out and "LOST" not in out

    store = Store(f"sqlite:///{run / 'gridhub.db'}")
    store.open()
    try:
        plans = make_mix(12, 3)
        ids = {p.case_id for p in plans}
        rows = all_cases(store)
        copies = {r.case_id for r in rows if r.case_id.endswith("-K")}
        ours = [r for r in rows if r.case_id in ids | copies]
        assert ids <= {r.case_id for r in rows}  # every case the installers sent is projected
        shown = {status: int(n) for status, n in _section(out, "cases per status")}
        assert shown == dict(Counter(r.status for r in ours))
        assert sum(shown.values()) == 12 + len(copies)

        groups = store.dead_letter_groups("open")
        header = re.search(r"dead letters: (\d+) in (\d+) group", out)
        assert header and int(header[1]) == sum(g.count for g in groups)
        assert int(header[2]) == len(groups)
        poison = [g for g in groups if g.connector == "hub"]
        assert sum(g.count for g in poison) == 4  # the poison messages, grouped by cause
        for group in groups:
            assert group.fingerprint in out

        received = Counter(t.source for r in ours for t in store.trace(r.case_id)
                           if t.hop == "received")
        table = {row[0]: int(row[1]) for row in _section(out, "messages per system")}
        assert table["elsmart"] >= received["elsmart"] >= 12
        systems = {row[0]: (int(row[1]), int(row[2]))
                   for row in _section(out, "messages per system")}
        # the Swedish market: a supplier's Z03 and the acknowledgements in; Z04 and UTILTS out
        assert systems["ediel"][0] >= 1 and systems["ediel"][1] >= 2, systems
        assert "slowest case:" in out and "trace of " in out
        # the drain ran before the summary: nothing pending at any target on a normal run
        deliveries = {row[0]: [int(n) for n in row[1:]]
                      for row in _section(out, "deliveries per target") if len(row) == 5}
        assert {"elsmart", "kis", "notify"} <= set(deliveries)
        assert all(pending == 0 for *_, pending in deliveries.values()), deliveries
        assert deliveries["elsmart"][1] == store.count_delivered("elsmart")
        market = {row[0]: [int(n) for n in row[1:]] for row in _section(
            out, "the market per country (Norway: the datahub, Elhub; Sweden: Ediel)")}
        assert market.get("SE", [0, 0, 0])[2] == 0  # a Swedish case never reaches Elhub
        # the metering values per country: what the store says reached Elhub and Ediel
        values = {t: n for t, n in Counter(
            t.target for r in {v.case_id for v in _values(store)} for t in store.trace(r)
            if t.hop == "delivered" and t.type == "meteringvalues.collected").items()}
        assert market["NO"][4] == values.get("elhub", 0)
        assert market["SE"][4] == values.get("ediel", 0) > 0
        # the simulated week played, from today (Oslo)
        today = datetime.now(UTC).astimezone(LOCAL).date()
        assert f"1 week (7 days) of a grid owner's work, {today} to " \
               f"{today + timedelta(days=6)}" in out
        assert re.search(r"approval to completion: median \d+ days, \d+ to \d+", out)
        countries = Counter(r.state["case"]["grid_owner"]["country"] for r in ours)
        assert {c: m[0] for c, m in market.items()} == dict(countries)
    finally:
        store.close()
    # Personal data never reaches the terminal: no personal number of any case.
    for plan in plans:
        owner = plan.case.property_owner
        assert owner is not None and owner.personal_number is not None
        assert owner.personal_number.reveal() not in out


def _values(store):
    with reading(store) as conn:
        return list(conn.execute(sa.select(trace_t.c.case_id).where(
            trace_t.c.type == "meteringvalues.collected").distinct()))
