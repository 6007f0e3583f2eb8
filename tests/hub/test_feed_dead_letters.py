"""A bad entry in a back end's event feed becomes a dead letter with its whole body, in the real
store, and the feed moves on (issue 13, item 11): the metering coordinator's feed on loopback,
the hub's InboundPublisher on the embedded broker and a SQLite store."""

from __future__ import annotations

import json
from datetime import date

from connectors.metering import MeteringConnector
from connectors.metering.simulator import MeteringSimulator
from hub.app import InboundPublisher
from hub.publisher import LockedPublisher
from hub.store import Store
from hub.topology import topology_for
from hub.transports import connection_for
from schemas.identifier_samples import make_gsrn

GSRN = str(make_gsrn(17, prefix="707057"))


def test_a_bad_feed_entry_is_stored_whole_and_the_cursor_moves_past_it(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'hub.db'}")
    store.open()
    broker = f"embedded://{tmp_path / 'broker.db'}"
    topology = topology_for("feedtest", broker)
    conn = connection_for(broker)
    topology.declare(conn, [])
    inbound = InboundPublisher(LockedPublisher(conn), topology, store)
    sim = MeteringSimulator(token="t")
    sim.start()
    try:
        for day in (20, 21, 22):
            sim.publish_metering_values(GSRN, date(2026, 11, day))
        sim.broken_entries[2] = {"seq": "2"}
        connector = MeteringConnector({"base_url": sim.url, "token": "t", "events": "http",
                                       "state_dir": str(tmp_path)}, inbound)
        assert connector.poller is not None
        assert connector.poller.poll_once() == 3
    finally:
        sim.stop()
        conn.release()
    (dead,) = store.dead_letters()
    entry = json.loads(dead.body)
    assert entry["seq"] == "2" and len(entry["event"]["values"]) == 96  # whole, not its id
    assert dead.connector == "metering" and dead.exception_type == "InvalidMessage"
    assert "integer seq" in dead.exception_message and "events[1].seq" in (dead.where or "")
    assert json.loads((tmp_path / "metering-cursor.json").read_text())["cursor"] == "3"
    store.close()
