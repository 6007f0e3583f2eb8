"""Soak: one gridhub hub worker at half load for N minutes; memory and latency over time.

Starts ``gridhub run --role hub``, measures its maximum with a short drain (unless ``--rate``
is given), then offers half of it for ``--minutes`` with a paced publisher. Every window it
reads the worker's resident memory (VmRSS in /proc/<pid>/status) and the latency of the
outputs that arrived in it. At the end every input is accounted for.

    python -m bench.soak                     # 10 minutes
    python -m bench.soak --minutes 2 --chart docs/soak.png
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from bench.broker import DEFAULT_URL
from bench.cpu import CpuMeter, pids_named, rss_mb, wait_until_quiet
from bench.hubworker import write_routes
from bench.machine import describe, postgres_version
from bench.messages import case_inputs, submitted_templates
from bench.runner import DEFAULT_PG, OUTPUTS, RESULTS, BenchStore, Session, ids
from bench.scaleout import gridhub_command, gridhub_env
from bench.sink import Records
from bench.stats import percentile, tally


def soak(args: argparse.Namespace) -> dict[str, Any]:
    templates = submitted_templates()
    with Session(args.url, "soak", partitioned=True) as session:
        session.store = BenchStore(args.store, session.workdir, args.pg_url)
        write_routes(session.workdir / "routes.yaml")

        boot: list[float] = []

        def start() -> None:
            session.start("gridhub", command=gridhub_command(), env=gridhub_env(session))
            boot.append(rss_mb(session.procs[0].pid))  # started, no message handled yet

        calibration = None
        next_case = 0
        if args.rate:
            start()
            rate = args.rate
        else:
            drain, _ = session.drain(case_inputs(0, args.calibrate, templates), start)
            calibration = drain.as_dict()
            next_case = args.calibrate
            rate = drain.inputs_per_s * 0.5
        pid = session.procs[0].pid
        result: dict[str, Any] = {"rate": rate, "calibration": calibration,
                                  "rss_after_start_mb": boot[0],
                                  "rss_mb": [(0.0, rss_mb(pid))], "windows": []}
        everything, sent = Records(), []
        meter = CpuMeter(lambda: {"worker": [pid], "broker": pids_named("beam.smp")})
        meter.start()
        started = time.monotonic()
        while time.monotonic() - started < args.minutes * 60:
            items = case_inputs(next_case, max(1, int(rate * args.window)), templates)
            next_case += len(items)
            published = session.load.paced(items, rate)
            sent.extend(ids(items))
            records = session.sink.take()
            everything.extend(records)
            at = time.monotonic() - started
            result["rss_mb"].append((round(at, 1), rss_mb(pid)))
            result["windows"].append({
                "t_s": round(at, 1), "published_rate": published, "outputs": len(records),
                "p50_ms": percentile(records.latency, 50) * 1000,
                "p99_ms": percentile(records.latency, 99) * 1000})
        session.sink.wait_for(len(sent) * OUTPUTS - len(everything), timeout_s=120)
        everything.extend(session.sink.take())
        result["cpu"] = meter.stop()
        result["rss_mb"].append((round(time.monotonic() - started, 1), rss_mb(pid)))
        result["inputs"] = len(sent)
        result["p50_ms"] = percentile(everything.latency, 50) * 1000
        result["p99_ms"] = percentile(everything.latency, 99) * 1000
        result["tally"] = tally(everything, sent, OUTPUTS).as_dict()
        result["dead_letters"] = session.store.dead_letters()
        store_file = session.workdir / "store.db"
        if store_file.exists():
            result["store_mb"] = store_file.stat().st_size / 2**20
        return result


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.soak",
                                     description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=float, help="inputs/s to offer (default: half the "
                        "rate measured by a drain of --calibrate inputs)")
    parser.add_argument("--calibrate", type=int, default=5000)
    parser.add_argument("--window", type=float, default=10.0, help="seconds per sample")
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument("--quiet-wait", type=float, default=60.0, metavar="SECONDS")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--chart", type=Path, help="latency and RSS chart PNG")
    args = parser.parse_args(argv)
    if args.minutes <= 0 or args.window <= 0:
        parser.error("--minutes and --window must be positive")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    out = args.out or RESULTS / f"soak-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    machine = describe(args.url)
    if args.store == "postgres":
        machine["postgresql"] = postgres_version(args.pg_url)
    idle = wait_until_quiet(args.quiet_wait) if args.quiet_wait > 0 else None
    result = soak(args)
    report = {"machine": machine, "idle_before": idle,
              "settings": {k: str(v) for k, v in vars(args).items()}, "result": result}
    out.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    rss = result["rss_mb"]
    t = result["tally"]
    print(f"{result['inputs']:,} inputs at {result['rate']:,.0f}/s for {args.minutes:g} min: "
          f"p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms; worker RSS "
          f"{rss[0][1]:.0f} MiB at start, {rss[-1][1]:.0f} MiB at end (max "
          f"{max(r[1] for r in rss):.0f}); missing {t['missing']}, duplicates "
          f"{t['duplicates']}, order violations {t['order_violations']}")
    if args.chart is not None:
        from bench.chart import soak_chart

        soak_chart(result["windows"], rss, args.chart,
                   f"gridhub hub worker at {result['rate']:,.0f} inputs/s for "
                   f"{args.minutes:g} min ({args.store} store)")
        print(f"chart: {args.chart}")
    print(f"results: {out}")


if __name__ == "__main__":
    main()
