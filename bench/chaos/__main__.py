"""``python -m bench.chaos``: the chaos run from the command line.

Exit codes: 0 every message accounted for, 1 a loss, duplicate or order violation (or the run
could not finish), 2 usage error.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import signal
import subprocess
import sys
from pathlib import Path

from bench.chaos.scenario import Config, run
from bench.chaos.tally import render

EXIT_OK, EXIT_VIOLATION, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench.chaos",
        description="Case messages through a two-hop route on a private RabbitMQ node while hub "
                    "workers are killed -9, the broker restarts, the back end goes down and "
                    "answers 500s; then every message must be delivered once or dead-lettered, "
                    "in per-case order. Exit 0 all accounted for, 1 violation, 2 usage.")
    d = Config()
    p.add_argument("--messages", type=int, default=d.messages, help="inputs (default %(default)s)")
    p.add_argument("--per-case", type=int, default=d.per_case,
                   help="messages per case: case.submitted then notes (default %(default)s)")
    p.add_argument("--kills", type=int, default=d.kills, help="kill -9 of a worker")
    p.add_argument("--broker-restarts", type=int, default=d.broker_restarts)
    p.add_argument("--down", type=float, default=d.down_s, dest="down_s",
                   help="seconds the back end is down (0: never)")
    p.add_argument("--error-rate", type=float, default=d.error_rate,
                   help="share of calls each target answers 500 (default %(default)s)")
    p.add_argument("--reject", type=int, default=d.reject,
                   help="inputs the back end rejects for good: dead letters (default %(default)s)")
    p.add_argument("--workers", type=int, default=d.workers, help="hub worker processes")
    p.add_argument("--seed", type=int, default=d.seed)
    p.add_argument("--timeout", type=float, default=d.timeout_s, dest="timeout_s",
                   help="give up after this many seconds (default %(default)s)")
    p.add_argument("--stall", type=float, default=d.stall_s, dest="stall_s",
                   help="give up when nothing moves this long (default %(default)s)")
    p.add_argument("--workdir", type=Path, help="keep logs, routes and the store here")
    p.add_argument("--store", dest="store_url", help="store URL (default SQLite in workdir)")
    return p


def _check(args: argparse.Namespace) -> str | None:
    if args.messages < 1 or args.per_case < 1 or args.messages < args.per_case:
        return "--messages and --per-case must be >= 1, with messages >= per-case"
    if not 0 <= args.error_rate < 1:
        return "--error-rate must be in [0, 1)"
    if min(args.kills, args.broker_restarts, args.reject, args.down_s) < 0 or args.workers < 1:
        return "--kills, --broker-restarts, --reject, --down must be >= 0 and --workers >= 1"
    if args.reject > args.messages // 10:
        return "--reject must be at most a tenth of --messages"
    return None


def machine() -> str:
    """Where the run ran: CPU, cores, memory, Python, RabbitMQ (for docs/chaos.md)."""
    cpu = mem = "?"
    with contextlib.suppress(OSError):
        cpu = next((line.split(":", 1)[1].strip() for line in
                    Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), "?")
        kib = Path("/proc/meminfo").read_text().split()[1]
        mem = f"{int(kib) / 2**20:.1f} GiB"
    rabbit = "?"
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        rabbit = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "rabbitmq-server"],
                                capture_output=True, text=True, timeout=10).stdout or "?"
    return (f"machine: {cpu}, {os.cpu_count()} cores, {mem}; Python "
            f"{platform.python_version()}; RabbitMQ {rabbit}")


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: 0 for --help, 2 for bad usage
        return int(exc.code or 0)
    problem = _check(args)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    config = Config(**vars(args))
    # SIGTERM unwinds like Ctrl-C, so the private broker and the workers are stopped.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        outcome = run(config, say=lambda line: print(line, flush=True))
    except RuntimeError as exc:
        print(f"error: the run could not finish: {exc}", file=sys.stderr)
        return EXIT_VIOLATION
    print(render(outcome.tally, outcome.seconds))
    print(machine())
    return EXIT_OK if outcome.tally.ok else EXIT_VIOLATION


if __name__ == "__main__":
    sys.exit(main())
