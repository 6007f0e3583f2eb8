"""Running one contender through measured phases, and cleaning up whatever happens.

A :class:`Session` owns one namespace on the broker (its topology, the output consumer, the
load publisher, a scratch directory, the store for gridhub) and the contender's processes;
leaving it stops them (by their own pids), deletes the queues and exchanges, and drops the
store. Phases:

- :meth:`Session.drain`: pre-load N inputs while nobody consumes, start the contender, and
  time it from the first output to the last: the most it can route;
- :meth:`Session.paced`: a paced publisher offers a fixed rate while the contender runs;
  latency is measured from the publish time stamped in the body to the arrival at the sink.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.broker import (
    Load,
    declare,
    delete,
    input_queue,
    output_queues,
    wait_for_consumers,
    wait_for_partitions,
)
from bench.cpu import CpuSampler, pids_named
from bench.messages import Input, parse_input_id
from bench.sink import Records, Sink
from bench.stats import Phase, phase

OUTPUTS = 2
DEFAULT_PG = "postgresql+psycopg://gridhub:gridhub@127.0.0.1:5432/gridhub_test"
REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"


def token() -> str:
    return secrets.token_hex(3)


class BenchStore:
    """gridhub's store for one run: a SQLite file in the scratch directory, or a schema of
    its own in PostgreSQL (so a run never touches the tests' tables), dropped afterwards."""

    def __init__(self, kind: str, workdir: Path, pg_url: str = DEFAULT_PG) -> None:
        self.kind = kind
        self._schema = f"bench_{token()}"
        self._pg = pg_url
        if kind == "sqlite":
            self.url = f"sqlite:///{workdir / 'store.db'}"
        elif kind == "postgres":
            self.url = f"{pg_url}?options=-csearch_path%3D{self._schema}"
            _pg_exec(pg_url, f"CREATE SCHEMA {self._schema}")
        else:
            raise ValueError(f"store {kind!r}: use sqlite or postgres")
        from hub.store import Store

        # Tables once, before any worker: concurrent create_all on SQLite can race.
        store = Store(self.url)
        store.open()
        store.close()

    def dead_letters(self) -> dict[str, int]:
        """Dead letters by exception type (what the hub refused, e.g. a note before its case)."""
        from hub.store import Store

        store = Store(self.url)
        store.open()
        try:
            counts: dict[str, int] = {}
            for row in store.dead_letters(status=None, limit=1_000_000):
                counts[row.exception_type] = counts.get(row.exception_type, 0) + 1
            return counts
        finally:
            store.close()

    def drop(self) -> None:
        if self.kind == "postgres":
            _pg_exec(self._pg, f"DROP SCHEMA IF EXISTS {self._schema} CASCADE")


def _pg_exec(url: str, sql: str) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(sql)
    finally:
        engine.dispose()


class Session:
    """One contender's namespace, consumer, publisher and processes."""

    def __init__(self, url: str, name: str, *, partitioned: bool = False) -> None:
        self.url = url
        self.partitioned = partitioned  # gridhub's hub queue, split by case
        self.namespace = f"bench-{name}-{token()}"
        self.workdir = Path(tempfile.mkdtemp(prefix=f"{self.namespace}-"))
        self.procs: list[subprocess.Popen[bytes]] = []
        self.store: BenchStore | None = None
        declare(url, self.namespace, partitioned)
        self.sink = Sink(url, output_queues(self.namespace))
        self.load = Load(url, self.namespace)
        self.cpu = CpuSampler(self._pid_groups)

    def _pid_groups(self) -> dict[str, list[int]]:
        return {"contender": [p.pid for p in self.procs], "broker": pids_named("beam.smp"),
                "postgres": pids_named("postgres") if self.store and self.store.kind ==
                "postgres" else [], "publisher": [os.getpid()], "sink": [self.sink.pid]}

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.cpu.close()
        self.stop_procs()
        with contextlib.suppress(Exception):
            self.load.close()
        self.sink.stop()
        with contextlib.suppress(Exception):
            delete(self.url, self.namespace)
        if self.store is not None:
            with contextlib.suppress(Exception):
                self.store.drop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def start(self, module: str, *args: str, count: int = 1,
              command: Sequence[str] | None = None, env: dict[str, str] | None = None) -> None:
        """Start ``count`` processes (``python -m module args`` or ``command``); wait until
        they all consume the input queue."""
        for index in range(count):
            argv = list(command) if command else [sys.executable, "-m", module, *args]
            log = (self.workdir / f"{module.split('.')[-1]}-{index}.log").open("wb")
            self.procs.append(subprocess.Popen(
                argv, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                env={**os.environ, **(env or {})}))
        alive = lambda: all(p.poll() is None for p in self.procs)  # noqa: E731
        if self.partitioned:
            wait_for_partitions(self.url, self.namespace, 60, alive)
        else:
            wait_for_consumers(self.url, input_queue(self.namespace), count, 60, alive)

    def stop_procs(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        self.procs.clear()

    def logs(self, lines: int = 20) -> str:
        """The last lines of every contender log, for an error message."""
        out = []
        for path in sorted(self.workdir.glob("*.log")):
            tail = path.read_text(errors="replace").splitlines()[-lines:]
            out.append(f"--- {path.name}\n" + "\n".join(tail))
        return "\n".join(out)

    def drain(self, items: Sequence[Input], start: Callable[[], None],
              during: Callable[[], Any] | None = None) -> tuple[Phase, float]:
        """Pre-load ``items``, start the contender, wait for every output. Returns the phase
        and the pre-load publish rate. ``during`` runs right after the start (a profiler)."""
        preload_rate = self.load.preload(items)
        start()
        if during is not None:
            during()
        records = self._collect(len(items))
        cpu = self._cpu(records)
        return phase("drain", records, ids(items), OUTPUTS, cpu=cpu), preload_rate

    def paced(self, name: str, items: Sequence[Input], rate: float) -> Phase:
        published = self.load.paced(items, rate)
        records = self._collect(len(items))
        cpu = self._cpu(records)
        return phase(name, records, ids(items), OUTPUTS, offered=rate, published=published,
                     cpu=cpu)

    def _cpu(self, records: Records) -> dict[str, float]:
        """Cores used from the first output to the last: the window the rate is taken over."""
        if len(records.received) < 2:
            return {}
        return self.cpu.between(min(records.received), max(records.received))

    def _collect(self, inputs: int) -> Records:
        self.sink.wait_for(inputs * OUTPUTS, timeout_s=60 + inputs / 100)
        return self.sink.take()


def ids(items: Sequence[Input]) -> list[tuple[int, int]]:
    """(case, seq) of each input, read back from its id."""
    out = []
    for item in items:
        start = item.body.index(b'"message_id":"') + 14
        found = parse_input_id(item.body[start:start + 36].decode())
        if found is None:
            raise ValueError("an input without a benchmark id")
        out.append(found)
    return out


def wait_quiet(seconds: float) -> None:
    """A pause between phases so one phase's tail does not land in the next."""
    time.sleep(seconds)
