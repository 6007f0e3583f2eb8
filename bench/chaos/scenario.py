"""The chaos run: case messages through a two-hop route while workers, broker and back end fail.

    inputs --> hub --route hop-1--> webhook "backend" --POST--> back-end target
                                   (the back end answers by publishing a reply note to the hub)
    reply  --> hub --route hop-2--> webhook "target"  --POST--> final target (counted)

Each input passes the hub twice (the input, then its reply). Faults come at random points of
progress (seeded): kill -9 of a worker (restarted at once), one restart of the private RabbitMQ
node, the back end down (connection refused) for a while, and a share of 500s from both
targets; a few inputs are rejected for good (422) so the dead-letter path is counted too.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kombu import Connection

from bench.chaos.rabbit import PrivateRabbit
from bench.chaos.tally import DeadLetter, Tally, count
from bench.chaos.targets import Faults, Target
from bench.chaos.workers import Workers
from bench.messages import (
    Input,
    input_id,
    note_templates,
    sequence_inputs,
    stamp,
    submitted_templates,
)
from hub.publisher import Outgoing, Publisher
from hub.store import Store
from hub.topology import HUB_KEY, Topology, topology_for
from schemas.envelope import Envelope, derived_message_id
from schemas.message_types import MessageType as M

NAMESPACE = "chaos"
REPLY_SOURCE = "kis"
POLL_S = 0.05
ROUTES = """\
version: 1
retry_policies:
  chaos: {{immediate: 1, delayed: 60, initial_delay: 0.3, multiplier: 1.5, max_delay: 3,
          jitter: 0.2, max_age: 900}}
connectors:
  backend: {{plugin: webhook, settings: {{url: "{backend}", timeout: 5}}}}
  target: {{plugin: webhook, settings: {{url: "{target}", timeout: 5}}}}
routes:
  - name: hop-1
    match: {{type: [case.submitted, case.note.added], where: {{field: source, eq: elsmart}}}}
    to: [backend]
    retry: chaos
  - name: hop-2
    match: {{type: case.note.added, where: {{field: source, eq: {reply_source}}}}}
    to: [target]
    retry: chaos
"""
REPLY_NOTE = {"subject": "Kvittens", "text": "Mottaget och registrerat.", "author": "KIS",
              "internal": False, "at": "2024-03-11T08:00:00Z"}


@dataclass(frozen=True)
class Config:
    messages: int = 20_000
    per_case: int = 5
    kills: int = 5
    broker_restarts: int = 1
    down_s: float = 30.0
    error_rate: float = 0.10
    reject: int = 20  # inputs the back end rejects for good (422 -> dead letter)
    workers: int = 1
    seed: int = 1
    timeout_s: float = 1800.0
    stall_s: float = 120.0  # give up when nothing moves this long with no fault active
    workdir: Path | None = None
    store_url: str | None = None  # default: SQLite in the work directory


@dataclass
class Outcome:
    tally: Tally
    seconds: float
    workdir: Path


def reply_to(message: Envelope) -> Envelope:
    """The back end's answer to an input: a note on the case, with a deterministic id."""
    return message.derive(M.CASE_NOTE_ADDED, REPLY_SOURCE, {"note": REPLY_NOTE}, "chaos-reply")


def chain(input_message_id: str) -> list[str]:
    """The ids an input has along its way: input, delivery to the back end, the back end's
    reply, the reply's delivery to the final target (as the hub and :func:`reply_to` make them)."""
    to_backend = derived_message_id(input_message_id, "hop-1", "backend")
    reply = derived_message_id(to_backend, M.CASE_NOTE_ADDED, "chaos-reply")
    return [input_message_id, to_backend, reply, derived_message_id(reply, "hop-2", "target")]


def plan(config: Config, rng: random.Random) -> list[tuple[float, str]]:
    """(progress fraction, action) at random points: kill, broker restart, back end down."""
    events = [(rng.uniform(0.05, 0.9), "kill") for _ in range(config.kills)]
    events += [(rng.uniform(0.2, 0.75), "restart-broker") for _ in range(config.broker_restarts)]
    if config.down_s > 0:
        events.append((rng.uniform(0.1, 0.7), "backend-down"))
    return sorted(events)


def inputs(config: Config) -> list[Input]:
    cases = max(1, config.messages // config.per_case)
    return sequence_inputs(cases, config.per_case, 50, submitted_templates(), note_templates())


def publish(url: str, topology: Topology, items: list[Input]) -> None:
    """Every input, persistent and confirmed, before the first worker starts."""
    with Connection(url) as conn:
        publisher = Publisher(conn)
        for start in range(0, len(items), 500):
            now = time.time()
            publisher.publish([Outgoing(topology.inbound, HUB_KEY, stamp(i, now), case_id=i.case_id)
                               for i in items[start:start + 500]])
        publisher.close()


def run(config: Config, say: Callable[[str], None] = print) -> Outcome:
    """One full run on a private RabbitMQ node; returns the tally."""
    workdir = config.workdir or Path(tempfile.mkdtemp(prefix="gridhub-chaos-"))
    workdir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(config.seed)
    items = inputs(config)
    keys = [(c, s) for c in range(len(items) // config.per_case) for s in range(config.per_case)]
    ids = {mid: key for key in keys for mid in chain(input_id(*key))}
    rejects = frozenset(chain(input_id(*k))[1] for k in rng.sample(keys, config.reject))
    with PrivateRabbit(workdir / "rabbit") as rabbit:
        topology = topology_for(NAMESPACE, rabbit.url)
        with Target("backend", Faults(config.error_rate, rejects, config.seed), reply_to,
                    rabbit.url, topology) as backend, \
                Target("target", Faults(config.error_rate, frozenset(), config.seed + 1)) as final:
            (workdir / "routes.yaml").write_text(ROUTES.format(
                backend=backend.url, target=final.url, reply_source=REPLY_SOURCE))
            with Connection(rabbit.url) as conn:
                topology.declare(conn, ["backend", "target"])
            publish(rabbit.url, topology, items)
            say(f"published {len(items)} inputs ({len(keys) // config.per_case} cases) "
                f"to {rabbit.node}; work directory {workdir}")
            store_url = config.store_url or f"sqlite:///{workdir / 'hub.db'}"
            workers = Workers(workdir, _worker_env(rabbit.url, store_url, workdir),
                              config.workers)
            started = time.monotonic()
            workers.start()
            try:
                _drive(config, plan(config, rng), ids, workers, rabbit, backend, final,
                       store_url, rng, say)
            finally:
                codes = workers.stop()
            seconds = time.monotonic() - started
            tally = count(ids, final.first(), _dead_letters(store_url))
    tally.counters = _counters(workers, rabbit, backend, final, config, codes)
    return Outcome(tally, seconds, workdir)


def _worker_env(url: str, store_url: str, workdir: Path) -> dict[str, str]:
    return {"GRIDHUB_BROKER_URL": url, "GRIDHUB_NAMESPACE": NAMESPACE,
            "GRIDHUB_STORE_URL": store_url, "GRIDHUB_ROUTES": str(workdir / "routes.yaml"),
            "GRIDHUB_BATCH_MAX": "100", "GRIDHUB_PREFETCH": "200",
            "GRIDHUB_SCHEDULER_INTERVAL_MS": "100", "GRIDHUB_LOG_LEVEL": "WARNING"}


def _drive(config: Config, events: list[tuple[float, str]], ids: dict[str, tuple[int, int]],
           workers: Workers, rabbit: PrivateRabbit, backend: Target, final: Target,
           store_url: str, rng: random.Random, say: Callable[[str], None]) -> None:
    """Inject the planned faults as progress passes them; return once all is accounted for
    (or nothing moved for ``stall_s``, or ``timeout_s`` passed: the tally shows what is lost)."""
    deadline = time.monotonic() + config.timeout_s
    expected = len(set(ids.values()))
    up_at: float | None = None
    next_check, moved_at, last = 0.0, time.monotonic(), (-1, -1)
    while time.monotonic() < deadline:
        if workers.dead():
            raise RuntimeError(f"worker(s) {workers.dead()} exited on their own:\n"
                               f"{workers.log_tail()}")
        progress = final.delivered() / expected
        while events and events[0][0] <= progress:
            _, action = events.pop(0)
            say(f"{progress:6.1%}  {action}")
            if action == "kill":
                workers.kill_and_restart(rng.randrange(len(workers.procs)))
            elif action == "restart-broker":
                rabbit.restart()
            else:
                backend.down()
                up_at = time.monotonic() + config.down_s
        if up_at is not None and time.monotonic() >= up_at:
            backend.up()
            up_at = None
            say(f"{final.delivered() / expected:6.1%}  backend-up")
        if time.monotonic() >= next_check:
            next_check = time.monotonic() + 1.0
            dead = len({d.input_key(ids) for d in _dead_letters(store_url)} - {None})
            now = (final.delivered(), dead)
            if now != last or up_at is not None:
                moved_at, last = time.monotonic(), now
            if not events and up_at is None and sum(now) >= expected:
                time.sleep(2.0)  # let a late duplicate show itself before the count
                return
            if time.monotonic() - moved_at > config.stall_s:
                say(f"stalled: nothing delivered or dead-lettered for {config.stall_s:g}s "
                    f"at {now[0]} delivered, {now[1]} dead-lettered; worker log tail:\n"
                    f"{workers.log_tail(1500)}")
                return
        time.sleep(POLL_S)
    say(f"timed out after {config.timeout_s:g}s")


def _dead_letters(store_url: str) -> list[DeadLetter]:
    store = Store(store_url)
    store.open()
    try:
        rows = store.dead_letters(status=None, limit=1_000_000)
    finally:
        store.close()
    return [DeadLetter.from_row(r.message_id, r.body, r.connector,
                                f"{r.exception_type}: {r.exception_message}") for r in rows]


def _counters(workers: Workers, rabbit: PrivateRabbit, backend: Target, final: Target,
              config: Config, codes: list[int]) -> dict[str, int]:
    b, f = backend.record, final.record
    return {"worker kills (-9)": workers.kills, "broker restarts": rabbit.restarts,
            "backend down (s)": int(config.down_s), "500s answered": b.errors + f.errors,
            "422s answered": b.rejected, "503s (broker away)": b.unavailable,
            "repeats at backend": b.repeats, "repeats at target": f.repeats,
            "replies re-published": b.replies - len(b.first),
            "worker exit codes≠0": sum(1 for c in codes if c != 0)}
