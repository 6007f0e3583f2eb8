"""The cluster run: case messages through the chaos bench's two-hop route on a private 3-node
RabbitMQ cluster while one node is killed, one stopped cleanly and one frozen (SIGSTOP).

    feeder --(paced, confirmed)--> hub --hop-1--> webhook "backend" (replies on the bus)
    reply  --> hub --hop-2--> webhook "target" (counted, with its arrival time)

Four hub processes with different roles share one PostgreSQL store, each given the node list in
its own order (``broker_failover = in-order``), so every node carries some of them:

    hub-a      roles hub                   node1 first
    hub-b      roles hub                   node2 first (the hub partitions are split by the two)
    deliver    roles deliver               node3 first
    scheduler  roles scheduler, inbound    node1 first

The faults come one after the other with the flow running: node1 killed (-9) and started again,
node2 stopped with ``rabbitmqctl stop`` and started again, node3 frozen for ``freeze_s`` and
thawed. The stall of each fault is the longest gap between two arrivals at the final target from
the fault on until the next one. Then every input must be delivered once, in order per case.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from bench.chaos.scenario import REPLY_SOURCE, ROUTES, chain, inputs, reply_to
from bench.chaos.tally import DeadLetter, Tally, count
from bench.chaos.targets import Faults, Target
from bench.cluster.nodes import PrivateCluster
from bench.messages import input_id, parse_input_id, stamp
from hub.brokers import BrokerOptions, Brokers, Failover, join_addresses
from hub.heartbeats import Heartbeats
from hub.publisher import LockedPublisher, Outgoing
from hub.store import Store
from hub.topology import HUB_KEY, topology_for

NAMESPACE = "cluster"
# (name, roles, index of the node it tries first)
ROLES: list[tuple[str, list[str], int]] = [
    ("hub-a", ["hub"], 0), ("hub-b", ["hub"], 1), ("deliver", ["deliver"], 2),
    ("scheduler", ["scheduler", "inbound"], 0)]
FAULTS = ("kill", "stop", "freeze")


@dataclass(frozen=True)
class Config:
    messages: int = 20_000  # at most; the feed stops after the last fault's steady period
    per_case: int = 5
    rate: float = 40.0  # inputs fed per second
    heartbeat_s: float = 5.0
    down_s: float = 10.0  # how long a killed or stopped node stays down
    freeze_s: float = 30.0
    steady_s: float = 10.0  # flow before the first fault and between faults
    net_ticktime: int = 10  # the nodes' rabbitmq.conf (RabbitMQ's default: 60)
    error_rate: float = 0.02
    seed: int = 1
    timeout_s: float = 1800.0
    stall_s: float = 180.0
    store_url: str = ""  # PostgreSQL; a fresh schema is made in it and dropped after
    workdir: Path | None = None


@dataclass
class FaultRecord:
    kind: str
    node: str
    at: float  # monotonic
    sent: int = 0  # inputs fed when the fault came
    back_at: float = 0.0
    stall_s: float = 0.0


@dataclass
class Outcome:
    tally: Tally
    seconds: float
    workdir: Path
    faults: list[FaultRecord] = field(default_factory=list)


@contextlib.contextmanager
def fresh_schema(url: str) -> Iterator[str]:
    """A URL whose connections see only a new, empty PostgreSQL schema; dropped after."""
    if not url.startswith("postgresql"):
        raise ValueError("the cluster run needs a PostgreSQL store URL "
                         "(postgresql+psycopg://user:pass@host/db)")
    schema = f"cluster_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield sa.make_url(url).update_query_dict(
            {"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()


class Processes:
    """The hub processes (``gridhub run``), one per role line of :data:`ROLES`."""

    def __init__(self, workdir: Path, base_env: dict[str, str], urls: list[str]) -> None:
        self.workdir = workdir
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self._envs = {}
        for name, roles, first in ROLES:
            order = urls[first:] + urls[:first]
            self._envs[name] = {**os.environ, **base_env, "GRIDHUB_ROLES": json.dumps(roles),
                                "GRIDHUB_BROKER_URL": json.dumps(order)}

    def start(self) -> None:
        for name in self._envs:
            log = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115 - the child owns it
            try:
                self.procs[name] = subprocess.Popen(
                    [sys.executable, "-m", "hub.cli", "run"], env=self._envs[name],
                    stdout=log, stderr=subprocess.STDOUT, cwd=self.workdir)
            finally:
                log.close()

    def dead(self) -> list[str]:
        return [n for n, p in self.procs.items() if p.poll() is not None]

    def stop(self) -> list[int]:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        codes = []
        for proc in self.procs.values():
            try:
                codes.append(proc.wait(timeout=60))
            except subprocess.TimeoutExpired:
                proc.kill()
                codes.append(proc.wait(timeout=10))
        return codes

    def log_count(self, text: str) -> int:
        return sum((self.workdir / f"{n}.log").read_text(errors="replace").count(text)
                   for n in self.procs)

    def log_tail(self, chars: int = 1500) -> str:
        return "\n".join(f"--- {n}\n" + (self.workdir / f"{n}.log").read_text(
            errors="replace")[-chars:] for n in self.procs)


class Feeder:
    """Publishes the inputs in order at a steady rate through the cluster (as a connector
    does, confirmed), going on to the next node when one fails, until :meth:`enough` (or
    all are sent): the flow goes on through every fault however long the faults take."""

    def __init__(self, brokers: Brokers, items: list, rate: float,
                 heartbeats: Heartbeats) -> None:
        topology = topology_for(NAMESPACE, brokers.addresses[0])
        self._topology = topology
        self._publisher = LockedPublisher(brokers.connect, attempts=brokers.attempts(),
                                          confirm_timeout_s=10, failed=brokers.failed,
                                          heartbeats=heartbeats)
        self._items = items
        self._rate = rate
        self.sent = 0
        self.retries = 0
        self._stop = threading.Event()
        self._enough = threading.Event()
        self._thread = threading.Thread(target=self._run, name="feeder", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def enough(self) -> None:
        """Send no further input (the one being published still goes out)."""
        self._enough.set()

    def done(self) -> bool:
        return self.sent >= len(self._items) or (self._enough.is_set()
                                                 and not self._thread.is_alive())

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(30)
        self._publisher.close()

    def _run(self) -> None:
        started = time.monotonic()
        for index, item in enumerate(self._items):
            wait = started + index / self._rate - time.monotonic()
            if wait > 0 and self._stop.wait(wait):
                return
            if self._enough.is_set():
                return
            while not self._stop.is_set():
                out = Outgoing(self._topology.inbound, HUB_KEY, stamp(item, time.time()),
                               case_id=item.case_id)
                try:
                    self._publisher.publish([out])
                    break
                except Exception:  # its node failed: the next publish goes to the next one
                    self.retries += 1
                    self._stop.wait(0.1)
            self.sent = index + 1


def run(config: Config, say: Callable[[str], None] = print) -> Outcome:
    """One run on a private cluster; returns the tally and the stall per fault."""
    workdir = config.workdir or Path(tempfile.mkdtemp(prefix="gridhub-cluster-run-"))
    workdir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(config.seed)
    items = inputs(config)  # type: ignore[arg-type] - it reads messages and per_case
    keys = [(c, s) for c in range(len(items) // config.per_case) for s in range(config.per_case)]
    ids = {mid: key for key in keys for mid in chain(input_id(*key))}
    started = time.monotonic()
    with fresh_schema(config.store_url) as store_url, \
            PrivateCluster(3, workdir / "rabbit", config.net_ticktime) as cluster:
        say(f"cluster of {len(cluster.nodes)} nodes up: {', '.join(n.node for n in cluster.nodes)}")
        options = BrokerOptions(heartbeat_s=config.heartbeat_s, connect_timeout_s=3,
                                io_timeout_s=5, confirm_timeout_s=10, failover=Failover.SHUFFLE)
        brokers = Brokers(join_addresses(cluster.urls), options, rng=rng)
        # The harness's own clients (feeder, back end) are sound ones: heartbeats, failover.
        beats = Heartbeats(config.heartbeat_s)
        beats.start()
        topology = topology_for(NAMESPACE, cluster.urls[0], replicas=3)
        with Target("backend", Faults(config.error_rate, frozenset(), config.seed), reply_to,
                    cluster.urls[0], topology, connect=brokers.connect, failed=brokers.failed,
                    heartbeats=beats) as backend, \
                Target("target", Faults(config.error_rate, frozenset(), config.seed + 1)) as final:
            (workdir / "routes.yaml").write_text(ROUTES.format(
                backend=backend.url, target=final.url, reply_source=REPLY_SOURCE))
            conn = brokers.connect()
            with conn:
                topology.declare(conn, ["backend", "target"])
            _create_tables(store_url)  # once, before four processes would race to
            procs = Processes(workdir, _env(config, store_url, workdir), cluster.urls)
            feeder = Feeder(brokers, items, config.rate, beats)
            procs.start()
            feeder.start()
            faults: list[FaultRecord] = []
            try:
                _drive(config, cluster, procs, feeder, final, ids, store_url, faults, say)
            finally:
                feeder.stop()
                codes = procs.stop()
                beats.stop()
            seconds = time.monotonic() - started
            _stalls(faults, final.record.at)
            sent = {parse_input_id(json.loads(stamp(i, 0))["message_id"])
                    for i in items[:feeder.sent]}
            tally = count({m: k for m, k in ids.items() if k in sent}, final.first(),
                          _dead_letters(store_url))
            tally.counters = {
                "processes": len(ROLES), "node faults": len(faults),
                "feeder publish retries": feeder.retries,
                "failovers logged": procs.log_count("broker.failover"),
                "500s answered": backend.record.errors + final.record.errors,
                "503s (broker away)": backend.record.unavailable,
                "repeats at backend": backend.record.repeats,
                "repeats at target": final.record.repeats,
                "process exit codes≠0": sum(1 for c in codes if c != 0),
                # A client that sent no heartbeats while it waited (must stay 0).
                "missed client heartbeats": _node_log_count(cluster,
                                                            "missed heartbeats from client")}
    return Outcome(tally, seconds, workdir, faults)


def _env(config: Config, store_url: str, workdir: Path) -> dict[str, str]:
    return {"GRIDHUB_NAMESPACE": NAMESPACE, "GRIDHUB_STORE_URL": store_url,
            "GRIDHUB_ROUTES": str(workdir / "routes.yaml"), "GRIDHUB_BATCH_MAX": "100",
            "GRIDHUB_PREFETCH": "200", "GRIDHUB_SCHEDULER_INTERVAL_MS": "100",
            "GRIDHUB_LOG_LEVEL": "WARNING", "GRIDHUB_BROKER_FAILOVER": "in-order",
            "GRIDHUB_BROKER_HEARTBEAT": str(config.heartbeat_s),
            "GRIDHUB_BROKER_CONNECT_TIMEOUT": "3", "GRIDHUB_BROKER_IO_TIMEOUT": "5",
            "GRIDHUB_BROKER_CONFIRM_TIMEOUT": "10", "GRIDHUB_BROKER_REPLICAS": "3"}


def _drive(config: Config, cluster: PrivateCluster, procs: Processes, feeder: Feeder,
           final: Target, ids: dict[str, tuple[int, int]], store_url: str,
           faults: list[FaultRecord], say: Callable[[str], None]) -> None:
    deadline = time.monotonic() + config.timeout_s

    def watch(seconds: float) -> None:
        """Wait ``seconds`` while checking that no hub process died on its own."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if procs.dead():
                raise RuntimeError(f"hub process(es) {procs.dead()} exited on their own:\n"
                                   f"{procs.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"timed out after {config.timeout_s:g}s")
            time.sleep(0.1)

    while final.delivered() == 0:  # the processes are up and the flow runs
        watch(0.5)
    watch(config.steady_s)
    for kind, node in zip(FAULTS, cluster.nodes, strict=True):
        record = FaultRecord(kind, node.node, time.monotonic(), feeder.sent)
        faults.append(record)
        say(f"{final.delivered():6d} delivered  {kind} {node.node}")
        if kind == "kill":
            node.kill()
            watch(config.down_s)
            node.start()
        elif kind == "stop":
            node.stop()
            watch(config.down_s)
            node.start()
        else:
            node.freeze()
            watch(config.freeze_s)
            node.thaw()
        cluster.await_members(len(cluster.nodes))
        record.back_at = time.monotonic()
        say(f"{final.delivered():6d} delivered  {node.node} back")
        watch(config.steady_s)
    feeder.enough()
    moved_at, last = time.monotonic(), -1
    while time.monotonic() < deadline:
        dead = len({d.input_key(ids) for d in _dead_letters(store_url)} - {None})
        now = final.delivered() + dead
        if feeder.done() and now >= feeder.sent:
            watch(2.0)  # a late duplicate shows itself before the count
            return
        if now != last:
            moved_at, last = time.monotonic(), now
        if time.monotonic() - moved_at > config.stall_s:
            say(f"stalled at {now} of {feeder.sent} for {config.stall_s:g}s:\n{procs.log_tail()}")
            return
        watch(1.0)
    say(f"timed out after {config.timeout_s:g}s")


def _stalls(faults: list[FaultRecord], arrivals: list[float]) -> None:
    """Each fault's stall: the longest gap between final arrivals from the fault on until the
    next fault (the last one: until the end), the gap across the fault itself included."""
    times = sorted(arrivals)
    for index, fault in enumerate(faults):
        until = faults[index + 1].at if index + 1 < len(faults) else float("inf")
        before = [t for t in times if t < fault.at][-1:]
        window = before + [t for t in times if fault.at <= t < until]
        gaps = [b - a for a, b in itertools.pairwise(window)]
        fault.stall_s = max(gaps, default=0.0)


def _node_log_count(cluster: PrivateCluster, text: str) -> int:
    return sum(path.read_text(errors="replace").count(text)
               for node in cluster.nodes for path in (node.base / "log").glob("*.log"))


def _create_tables(store_url: str) -> None:
    from hub.ops.db import ensure_tables

    store = Store(store_url)
    store.open()
    try:
        ensure_tables(store)
    finally:
        store.close()


def _dead_letters(store_url: str) -> list[DeadLetter]:
    store = Store(store_url)
    store.open()
    try:
        rows = store.dead_letters(status=None, limit=1_000_000)
    finally:
        store.close()
    return [DeadLetter.from_row(r.message_id, r.body, r.connector,
                                f"{r.exception_type}: {r.exception_message}") for r in rows]


def render_faults(faults: list[FaultRecord]) -> str:
    lines = ["fault   node                   inputs fed  stall (s)  node back after (s)"]
    for f in faults:
        lines.append(f"{f.kind:<7} {f.node:<22} {f.sent:10d}  {f.stall_s:9.1f}  "
                     f"{f.back_at - f.at:19.1f}")
    return "\n".join(lines)
