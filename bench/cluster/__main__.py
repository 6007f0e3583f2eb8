"""``python -m bench.cluster``: the cluster run from the command line.

Exit codes: 0 every message accounted for, 1 a loss, duplicate or order violation (or the run
could not finish), 2 usage error.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from bench.chaos.__main__ import machine
from bench.chaos.tally import render
from bench.cluster.scenario import Config, render_faults, run

EXIT_OK, EXIT_VIOLATION, EXIT_USAGE = 0, 1, 2
DEFAULT_PG = "postgresql+psycopg://gridhub:gridhub@127.0.0.1:5432/gridhub_test"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench.cluster",
        description="Case messages through a two-hop route on a private 3-node RabbitMQ "
                    "cluster, four hub processes with different roles on PostgreSQL, while "
                    "one node is killed -9, one stopped cleanly and one frozen (SIGSTOP); "
                    "then every message must be delivered once, in per-case order, and the "
                    "stall of each fault is reported. Exit 0 all accounted for, 1 violation, "
                    "2 usage.")
    d = Config()
    p.add_argument("--messages", type=int, default=d.messages, help="inputs (default %(default)s)")
    p.add_argument("--per-case", type=int, default=d.per_case)
    p.add_argument("--rate", type=float, default=d.rate,
                   help="inputs fed per second (default %(default)s)")
    p.add_argument("--heartbeat", type=float, default=d.heartbeat_s, dest="heartbeat_s",
                   help="broker_heartbeat of every process, seconds (default %(default)s)")
    p.add_argument("--down", type=float, default=d.down_s, dest="down_s",
                   help="seconds a killed or stopped node stays down (default %(default)s)")
    p.add_argument("--freeze", type=float, default=d.freeze_s, dest="freeze_s",
                   help="seconds a node stays frozen (default %(default)s)")
    p.add_argument("--steady", type=float, default=d.steady_s, dest="steady_s",
                   help="seconds of undisturbed flow before and between faults")
    p.add_argument("--net-ticktime", type=int, default=d.net_ticktime,
                   help="the nodes' net_ticktime: how soon the others give up on a frozen "
                        "node (default %(default)s; RabbitMQ's own default is 60)")
    p.add_argument("--error-rate", type=float, default=d.error_rate)
    p.add_argument("--seed", type=int, default=d.seed)
    p.add_argument("--timeout", type=float, default=d.timeout_s, dest="timeout_s")
    p.add_argument("--stall", type=float, default=d.stall_s, dest="stall_s",
                   help="give up when nothing moves this long after the faults")
    p.add_argument("--store", dest="store_url",
                   default=os.environ.get("GRIDHUB_TEST_PG_URL", DEFAULT_PG),
                   help="PostgreSQL URL; a fresh schema is made in it and dropped after "
                        "(default: GRIDHUB_TEST_PG_URL or the test database)")
    p.add_argument("--workdir", type=Path, help="keep the logs and routes here")
    return p


def _check(args: argparse.Namespace) -> str | None:
    if args.messages < args.per_case or args.per_case < 1:
        return "--messages must be >= --per-case >= 1"
    if args.rate <= 0 or args.heartbeat_s <= 0:
        return "--rate and --heartbeat must be more than 0"
    if not 0 <= args.error_rate < 1:
        return "--error-rate must be in [0, 1)"
    if not args.store_url.startswith("postgresql"):
        return "--store must be a PostgreSQL URL (postgresql+psycopg://...)"
    return None


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    problem = _check(args)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    signal.signal(signal.SIGTERM, _interrupt)  # unwind: nodes and processes are stopped
    try:
        outcome = run(Config(**vars(args)), say=lambda line: print(line, flush=True))
    except RuntimeError as exc:
        print(f"error: the run could not finish: {exc}", file=sys.stderr)
        return EXIT_VIOLATION
    print(render(outcome.tally, outcome.seconds))
    print(render_faults(outcome.faults))
    print(machine())
    return EXIT_OK if outcome.tally.ok else EXIT_VIOLATION


if __name__ == "__main__":
    sys.exit(main())
