"""Scale-out: the gridhub routing benchmark with 1, 2 and 4 hub worker processes.

Each run starts W ``gridhub run --role hub`` processes as competing consumers of one hub
queue on one RabbitMQ, sharing one store. Every case gets several messages (case.submitted,
then case.note.added) with a sequence number in the message id; the output consumer checks,
per output queue and case, that they arrive in sequence. Nothing is assumed: a note routed
before its case.submitted counts as an order violation, and one the hub refused because its
case did not exist yet shows up as missing and as a dead letter.

    python -m bench.scaleout                          # 1, 2, 4 workers, 2,000 cases x 5
    python -m bench.scaleout --workers 1,2 --store postgres
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from bench.broker import DEFAULT_URL
from bench.cpu import wait_until_quiet
from bench.hubworker import write_routes
from bench.machine import describe, postgres_version
from bench.messages import note_templates, sequence_inputs, submitted_templates
from bench.runner import DEFAULT_PG, RESULTS, BenchStore, Session


def gridhub_env(session: Session) -> dict[str, str]:
    assert session.store is not None
    return {"GRIDHUB_BROKER_URL": session.url, "GRIDHUB_STORE_URL": session.store.url,
            "GRIDHUB_ROUTES": str(session.workdir / "routes.yaml"),
            "GRIDHUB_NAMESPACE": session.namespace}


def gridhub_command() -> list[str]:
    return [str(Path(sys.executable).parent / "gridhub"), "run", "--role", "hub"]


def run_workers(workers: int, args: argparse.Namespace) -> dict[str, Any]:
    items = sequence_inputs(args.cases, args.per_case, args.interleave, submitted_templates(),
                            note_templates())
    idle = wait_until_quiet(args.quiet_wait) if args.quiet_wait > 0 else None
    with Session(args.url, f"scale{workers}", partitioned=True) as session:
        session.store = BenchStore(args.store, session.workdir, args.pg_url)
        write_routes(session.workdir / "routes.yaml")

        def start() -> None:
            session.start("gridhub", command=gridhub_command(), env=gridhub_env(session),
                          count=workers)

        try:
            drain, _ = session.drain(items, start)
        except Exception:
            print(session.logs())
            raise
        return {"workers": workers, "idle_before": idle, "drain": drain.as_dict(),
                "dead_letters": session.store.dead_letters()}


def table(runs: list[dict[str, Any]]) -> str:
    rows = ["| hub workers | inputs/s | outputs missing | duplicates | order violations "
            "(cases) | dead letters |", "|---:|---:|---:|---:|---:|---|"]
    for run in runs:
        d, t = run["drain"], run["drain"]["tally"]
        dead = ", ".join(f"{k} {v}" for k, v in sorted(run["dead_letters"].items())) or "0"
        rows.append(f"| {run['workers']} | {d['inputs_per_s']:,.0f} | {t['missing']} | "
                    f"{t['duplicates']} | {t['order_violations']} ({t['cases_out_of_order']})"
                    f" | {dead} |")
    return "\n".join(rows)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.scaleout",
                                     description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--workers", default="1,2,4", help="worker counts to run")
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--per-case", type=int, default=5,
                        help="messages per case: case.submitted then notes")
    parser.add_argument("--interleave", type=int, default=50,
                        help="cases in flight together: a case's messages are this far apart")
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument("--quiet-wait", type=float, default=60.0, metavar="SECONDS")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    try:
        args.worker_counts = [int(w) for w in args.workers.split(",")]
    except ValueError:
        parser.error(f"--workers {args.workers!r}: give numbers like 1,2,4")
    if args.per_case < 1 or args.cases < 1 or args.interleave < 1:
        parser.error("--cases, --per-case and --interleave must be at least 1")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    out = args.out or RESULTS / f"scaleout-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    machine = describe(args.url)
    if args.store == "postgres":
        machine["postgresql"] = postgres_version(args.pg_url)
    runs = []
    for workers in args.worker_counts:
        print(f"{workers} worker(s): running ...", flush=True)
        runs.append(run_workers(workers, args))
    report = {"machine": machine, "settings": {k: str(v) for k, v in vars(args).items()},
              "runs": runs}
    out.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    print(table(runs))
    print(f"results: {out}")


if __name__ == "__main__":
    main()
