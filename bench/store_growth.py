"""A year of data: the ops queries and the hub stage as the store grows (issue 21).

Grows a store of either kind (``bench.store_fill``) to each given number of trace rows and at
each size times every ops query the CLI and the web pages run (trace by case id, GSRN and
meter number; status; dlq groups, list and show; dashboard; groups; dead letters), best of
``--repeat`` warm runs, and the hub stage per input (``bench.hotpath``'s ``HubStage.handle``
in batches of 250 on the grown store; size 0 is the fresh store). Prints the query plans of
the slowest statements and writes a table per store kind to docs/benchmarks.md.

    python -m bench.store_growth --store sqlite --sizes 100k,1M,4M
    python -m bench.store_growth --store postgresql --sizes 100k,1M,4M \\
        --pg-url postgresql+psycopg://gridhub:gridhub@127.0.0.1:5432/gridhub_test

PostgreSQL runs in a schema of its own, dropped at the end (``--keep`` keeps it, and a
SQLite file in ``--workdir``, for a later look).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.store_fill import RARE, TARGETS, TRACE_PER_CASE, Filler, case_id, gsrn, meter_number, now
from hub.store import Store

GOAL_MS = 50.0
STAGE_GOAL = 0.05  # the hub stage per input within 5 % of a fresh store
DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
PG_URL = os.environ.get("GRIDHUB_TEST_PG_URL",
                        "postgresql+psycopg://gridhub:gridhub@127.0.0.1:5432/gridhub_test")


@dataclass
class Timing:
    ms: float
    slowest_sql: tuple[str, Any] | None = None  # its slowest statement, for the plan


@dataclass
class Size:
    trace_rows: int
    stage_us: float | None = None
    queries: dict[str, Timing] = field(default_factory=dict)


def parse_size(text: str) -> int:
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([kKmM]?)", text.strip())
    if not m:
        raise argparse.ArgumentTypeError(f"size {text!r}: a number of trace rows like 500k or 4M")
    return int(float(m[1]) * {"": 1, "k": 1e3, "m": 1e6}[m[2].lower()])


class Recorder:
    """The slowest statement a query ran, found by timing each cursor execution."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.slowest: tuple[float, str, Any] | None = None
        self._started = 0.0

    def __enter__(self) -> Recorder:
        sa.event.listen(self.engine, "before_cursor_execute", self._before)
        sa.event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *exc: object) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._before)
        sa.event.remove(self.engine, "after_cursor_execute", self._after)

    def _before(self, *args: Any) -> None:
        self._started = time.perf_counter()

    def _after(self, conn: Any, cursor: Any, statement: str, params: Any, *rest: Any) -> None:
        spent = time.perf_counter() - self._started
        if statement.lstrip().upper().startswith(("SELECT", "WITH")) and (
                self.slowest is None or spent > self.slowest[0]):
            self.slowest = (spent, statement, params)


def queries(store: Store, cases: int) -> dict[str, Callable[[], Any]]:
    """What each ops command and page asks the store, by the name people know it by."""
    from hub.ops import audit
    from hub.ops.casetrace import case_trace
    from hub.ops.completeness import completeness, last_closed_day
    from hub.ops.db import reading
    from hub.ops.pause import pauses
    from hub.ops.selection import Selection, select_groups, select_rows
    from hub.ops.status import _waiting
    from hub.store.trace import latest_routed_at
    from hub.web.charts import last_hour

    probe = max(cases - 37, 0)  # a recent case (not the last one)
    with reading(store) as conn:
        dl_id = conn.scalar(sa.text("SELECT max(id) FROM dead_letter WHERE status = 'open'"))
    dl = store.dead_letter(dl_id) if dl_id else None
    dl_case = dl.case_id if dl else None

    def status() -> None:
        with reading(store) as conn:
            _waiting(conn, now())
            pauses(conn)
            for target in (*TARGETS, RARE):  # every delivery queue with messages waiting
                conn.scalar(latest_routed_at(target, 5000 if target == RARE else 200))
        store.dead_letter_groups("open")

    def read(fn: Callable[[sa.Connection], Any]) -> Callable[[], Any]:
        def run() -> Any:
            with reading(store) as conn:
                return fn(conn)
        return run

    def show() -> None:
        dl = store.dead_letter(dl_id or 0)
        if dl and dl.case_id:
            store.trace(dl.case_id)
        with reading(store) as conn:
            audit.entries(conn, dead_letter_id=dl_id or 0, limit=50)

    def metering() -> None:
        with reading(store) as conn:
            completeness(conn, last_closed_day())

    def dashboard() -> None:
        status()
        last_hour(store)
        metering()

    newest = read(lambda c: select_rows(c, Selection(), ("open",), 500, newest_first=True))
    return {
        "trace by case id (CLI, /trace, /api/trace)": lambda: case_trace(store, case_id(probe)),
        "trace by GSRN": lambda: case_trace(store, gsrn(probe)),
        "trace by meter number": lambda: case_trace(store, meter_number(probe)),
        "trace of the dead letter's case": lambda: store.trace(dl_case or ""),
        "status (store part)": status,
        "oldest estimate, target with few routed rows": read(
            lambda c: c.scalar(latest_routed_at(RARE, 5000))),
        "dlq groups": lambda: store.dead_letter_groups("open"),
        "dlq list (200)": read(lambda c: select_rows(c, Selection(), ("open",), 200)),
        "dlq list --key GSRN": read(
            lambda c: select_rows(c, Selection(key=gsrn(probe)), ("open",), 200)),
        "dlq show / dead letter page": show,
        "dashboard: last hour chart": lambda: last_hour(store),
        "dashboard: metering completeness": metering,
        "dashboard (store part: status, chart, metering)": dashboard,
        "/groups": read(lambda c: select_groups(c, Selection(), ("open",))),
        "/dead-letters (500 newest)": newest,
        "/dead-letters page 2": read(lambda c: select_rows(
            c, Selection(), ("open",), 500, newest_first=True,
            before=(dl_id or 0) - 1500)),
    }


def time_queries(store: Store, cases: int, repeat: int) -> dict[str, Timing]:
    found = {}
    for name, fn in queries(store, cases).items():
        fn()  # warm: the pages a person opens again are in the cache
        runs = []
        with Recorder(store.engine) as rec:
            for _ in range(repeat):
                started = time.perf_counter()
                fn()
                runs.append((time.perf_counter() - started) * 1e3)
        slowest = (rec.slowest[1], rec.slowest[2]) if rec.slowest else None
        # The best run: on a shared machine the others measure the neighbours' load too.
        found[name] = Timing(min(runs), slowest)
    return found


def plan_of(store: Store, sql: str, params: Any) -> str:
    from hub.store.plans import explain_sql

    with store.engine.connect() as conn, conn.begin():
        return explain_sql(conn, sql, params).text


def stage(url: str, inputs: int, first_case: int) -> float:
    from bench.hotpath import measure_stage

    # SQLite works in this process: its CPU time is steady under the neighbours' load. The
    # PostgreSQL server's work is elsewhere: wall clock there.
    clock = time.process_time if url.startswith("sqlite") else time.perf_counter
    return measure_stage(inputs, repeat=3, store_url=url, first_case=first_case, clock=clock)


@contextmanager
def store_url(kind: str, workdir: Path, pg_url: str, keep: bool) -> Iterator[str]:
    if kind == "sqlite":
        path = workdir / f"growth-{uuid.uuid4().hex[:8]}.db"
        try:
            yield f"sqlite:///{path}"
        finally:
            if not keep:
                for p in workdir.glob(f"{path.name}*"):
                    p.unlink()
        return
    schema = f"growth_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(pg_url, poolclass=sa.pool.NullPool)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield sa.make_url(pg_url).update_query_dict(
            {"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    finally:
        if keep:
            print(f"kept schema {schema}")
        else:
            with admin.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def run(kind: str, sizes: list[int], url: str, *, repeat: int, inputs: int,
        plans: int) -> list[Size]:
    store = Store(url)
    store.open()
    from hub.ops.db import ensure_tables

    ensure_tables(store)
    results = [Size(0, stage(url, inputs, first_case=10_000_000))]
    print(f"{kind}: fresh store, hub stage {results[0].stage_us:.0f} µs/input", flush=True)
    filler = Filler(store.engine, max(sizes) // TRACE_PER_CASE, now())
    have = 0
    try:
        for n, size in enumerate(sizes, start=1):
            want = size // TRACE_PER_CASE
            started = time.perf_counter()
            filler.grow(have, want)
            have = want
            _analyze(store)
            print(f"{kind}: grew to {size:,} trace rows in {time.perf_counter() - started:.0f} s",
                  flush=True)
            found = Size(size, stage(url, inputs, first_case=10_000_000 + n * 100_000))
            found.queries = time_queries(store, have, repeat)
            results.append(found)
            _print(kind, found, store, plans)
    finally:
        store.close()
    return results


def _analyze(store: Store) -> None:
    # What autovacuum (PostgreSQL) or the hub's own optimize would have done over a year.
    with store.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()


def _print(kind: str, size: Size, store: Store, plans: int) -> None:
    print(f"\n{kind} at {size.trace_rows:,} trace rows: hub stage {size.stage_us:.0f} µs/input")
    for name, t in size.queries.items():
        flag = "" if t.ms < GOAL_MS else "  OVER GOAL"
        print(f"  {t.ms:9.2f} ms  {name}{flag}")
    slowest = sorted(size.queries.items(), key=lambda kv: -kv[1].ms)[:plans]
    for name, t in slowest:
        if t.slowest_sql:
            print(f"\n  plan of the slowest statement of '{name}' ({t.ms:.2f} ms):")
            for line in plan_of(store, *t.slowest_sql).splitlines():
                print(f"    {line}")
    print(flush=True)


def table(kind: str, results: list[Size], when: datetime) -> str:
    """The markdown table of one run: a row per query, a column per size."""
    grown = [r for r in results if r.trace_rows]
    fresh = results[0].stage_us or 0.0
    head = "| " + " | ".join(["ms (best of warm runs)", *(f"{r.trace_rows:,} rows" for r in grown)])
    lines = [f"{kind}, {when:%Y-%m-%d %H:%M} UTC (`python -m bench.store_growth --store {kind}"
             f" --sizes {','.join(str(r.trace_rows) for r in grown)}`):", "",
             head + " |", "|" + " --- |" * (len(grown) + 1)]
    for name in grown[0].queries:
        cells = [f"{r.queries[name].ms:.2f}" + ("" if r.queries[name].ms < GOAL_MS else " **!**")
                 for r in grown]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    stage_cells = [f"{r.stage_us:.0f} ({(r.stage_us or 0) / fresh - 1:+.0%})" for r in grown]
    what = "CPU" if kind == "sqlite" else "wall clock"
    lines.append(f"| hub stage µs/input ({what}), batches of 250 (fresh store: {fresh:.0f}) | "
                 + " | ".join(stage_cells) + " |")
    return "\n".join(lines)


def write_doc(kind: str, text: str, doc: Path = DOC) -> None:
    """Replace this store kind's table in ``doc`` (or add the section at the end)."""
    start, end = f"<!-- store-growth {kind} start -->", f"<!-- store-growth {kind} end -->"
    old = doc.read_text(encoding="utf-8")
    block = f"{start}\n{text}\n{end}"
    if start in old and end in old:
        new = old[:old.index(start)] + block + old[old.index(end) + len(end):]
    else:
        new = old.rstrip("\n") + f"\n\n{block}\n"
    doc.write_text(new, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.store_growth",
                                     description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--store", choices=("sqlite", "postgresql"), required=True)
    parser.add_argument("--sizes", default="100k,1M,4M",
                        help="trace rows to grow to, ascending, e.g. 100k,1M,4M")
    parser.add_argument("--pg-url", default=PG_URL, help="PostgreSQL (a schema of its own is used)")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--repeat", type=int, default=5,
                        help="timed runs per query (best counts)")
    parser.add_argument("--inputs", type=int, default=1000, help="inputs per hub stage round")
    parser.add_argument("--plans", type=int, default=3, help="print the plans of the N slowest")
    parser.add_argument("--doc", type=Path, default=DOC, help="where the table goes")
    parser.add_argument("--no-doc", action="store_true", help="print only")
    parser.add_argument("--keep", action="store_true", help="keep the grown store")
    args = parser.parse_args(argv)
    try:
        sizes = [parse_size(s) for s in args.sizes.split(",")]
    except argparse.ArgumentTypeError as exc:
        parser.error(str(exc))
    if sizes != sorted(sizes) or sizes[0] < TRACE_PER_CASE:
        parser.error(f"--sizes must ascend and start at {TRACE_PER_CASE} rows or more")
    with store_url(args.store, args.workdir, args.pg_url, args.keep) as url:
        results = run(args.store, sizes, url, repeat=args.repeat, inputs=args.inputs,
                      plans=args.plans)
    text = table(args.store, results, now())
    print(text)
    if not args.no_doc:
        write_doc(args.store, text, args.doc)
        print(f"\nwritten to {args.doc}")
    over = [name for r in results[1:] for name, t in r.queries.items() if t.ms >= GOAL_MS]
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
