"""Routing throughput and latency on RabbitMQ: gridhub vs a raw pika relay vs FastStream.

All three run in one invocation on the same broker and machine with the same message bytes
(canonical case.submitted envelopes of 2.1-3.5 KB), persistent messages, publisher confirms
and manual acks; each input is routed to two output queues. Per contender, in a namespace of
its own: pre-load N inputs, start it and time the drain (full load, the most it can route);
then a paced publisher offers 100% and 50% of that rate for a few seconds each, with the
latency measured from the publish time in the body to the arrival at the output consumer.

    python -m bench.routing                      # N=20,000, all three, ~3-4 minutes
    python -m bench.routing --inputs 5000 --contenders gridhub --profile 8
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.broker import DEFAULT_URL
from bench.cpu import wait_until_quiet
from bench.hubworker import write_routes
from bench.machine import describe, postgres_version
from bench.messages import Template, case_inputs, submitted_templates
from bench.runner import DEFAULT_PG, RESULTS, BenchStore, Session, wait_quiet

CONTENDERS = ("gridhub", "raw-pika", "faststream")


def _starter(kind: str, session: Session, args: argparse.Namespace) -> Callable[[], None]:
    common = ("--url", args.url, "--namespace", session.namespace)
    if kind == "gridhub":
        store = session.store = BenchStore(args.store, session.workdir, args.pg_url)
        routes = write_routes(session.workdir / "routes.yaml")
        return lambda: session.start("bench.hubworker", *common, "--store", store.url,
                                     "--routes", str(routes))
    module = {"raw-pika": "bench.relay_pika", "faststream": "bench.relay_faststream"}[kind]
    return lambda: session.start(module, *common, "--prefetch", str(args.prefetch))


def run_contender(kind: str, args: argparse.Namespace, templates: list[Template],
                  profile_out: Path | None) -> dict[str, Any]:
    """Drain, full and half load for one contender; its namespace is gone afterwards."""
    idle = wait_until_quiet(args.quiet_wait) if args.quiet_wait > 0 else None
    with Session(args.url, kind, partitioned=kind == "gridhub") as session:
        start = _starter(kind, session, args)
        spy: list[Any] = []

        def during() -> None:
            if profile_out is not None:
                from bench.profile import record

                spy.append(record(session.procs[0].pid, args.profile, profile_out))

        try:
            drain, preload_rate = session.drain(case_inputs(0, args.inputs, templates), start,
                                                during)
        except Exception:
            print(session.logs())
            raise
        for proc in spy:
            proc.wait(args.profile + 30)
        result: dict[str, Any] = {"idle_before": idle, "preload_rate": preload_rate,
                                  "drain": drain.as_dict()}
        rate = drain.inputs_per_s
        next_case = args.inputs
        for name, share in (("full", 1.0), ("half", 0.5)):
            if not math.isfinite(rate) or rate <= 0:
                break
            count = max(1, int(rate * share * args.paced_seconds))
            wait_quiet(1.0)
            paced = session.paced(name, case_inputs(next_case, count, templates), rate * share)
            next_case += count
            result[name] = paced.as_dict()
        if session.store is not None:
            result["dead_letters"] = session.store.dead_letters()
        return result


def table(results: dict[str, dict[str, Any]]) -> str:
    """The results as a Markdown table."""
    head = ("| contender | inputs/s (full load, drain) | contender CPU ms per input | full "
            "load: offered → routed/s, p50 / p99 ms | half load: offered → routed/s, p50 / "
            "p99 ms | lost / dup / order |\n|---|---:|---:|---|---|---|")
    rows = [head]
    for name, r in results.items():
        drain = r["drain"]
        cpu_ms = drain["cpu"].get("contender", math.nan) / drain["inputs_per_s"] * 1000
        cells = [name, f"{drain['inputs_per_s']:,.0f}", f"{cpu_ms:.2f}"]
        for phase in ("full", "half"):
            p = r.get(phase)
            cells.append("—" if p is None else
                         f"{p['offered_rate']:,.0f} → {p['inputs_per_s']:,.0f}, "
                         f"{p['p50_ms']:.1f} / {p['p99_ms']:.1f}")
        phases = [r[k]["tally"] for k in ("drain", "full", "half") if k in r]
        cells.append(" / ".join(str(sum(t[k] for t in phases))
                                for k in ("missing", "duplicates", "order_violations")))
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def ratios(results: dict[str, dict[str, Any]]) -> dict[str, float]:
    rate = {k: v["drain"]["inputs_per_s"] for k, v in results.items()}
    out = {}
    if "gridhub" in rate:
        for peer in ("raw-pika", "faststream"):
            if rate.get(peer):
                out[f"gridhub/{peer}"] = rate["gridhub"] / rate[peer]
    return out


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.routing",
                                     description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--url", default=DEFAULT_URL, help="RabbitMQ (default %(default)s)")
    parser.add_argument("--inputs", type=int, default=20_000, help="pre-loaded inputs (N)")
    parser.add_argument("--paced-seconds", type=float, default=10.0,
                        help="length of the full- and half-load phases")
    parser.add_argument("--contenders", default=",".join(CONTENDERS),
                        help="comma-separated subset of %(default)s")
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite",
                        help="gridhub's store (postgres: a schema of its own, dropped after)")
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument("--prefetch", type=int, default=500,
                        help="consumer prefetch of the relays (gridhub's default is 500)")
    parser.add_argument("--profile", type=float, default=0.0, metavar="SECONDS",
                        help="py-spy the gridhub worker for SECONDS during the drain")
    parser.add_argument("--quiet-wait", type=float, default=60.0, metavar="SECONDS",
                        help="before each contender wait up to SECONDS for an idle machine")
    parser.add_argument("--out", type=Path, help="results JSON (default bench/results/...)")
    parser.add_argument("--chart", type=Path, help="throughput chart PNG (default: none)")
    args = parser.parse_args(argv)
    unknown = set(args.contenders.split(",")) - set(CONTENDERS)
    if unknown:
        parser.error(f"unknown contender(s) {', '.join(sorted(unknown))}; "
                     f"choose from {', '.join(CONTENDERS)}")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = args.out or RESULTS / f"routing-{stamp}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    machine = describe(args.url)
    if args.store == "postgres":
        machine["postgresql"] = postgres_version(args.pg_url)
    templates = submitted_templates()
    results: dict[str, dict[str, Any]] = {}
    for kind in args.contenders.split(","):
        profile = (out.with_name(f"{out.stem}-{kind}.pyspy.txt")
                   if args.profile > 0 and kind == "gridhub" else None)
        print(f"{kind}: running ...", flush=True)
        results[kind] = run_contender(kind, args, templates, profile)
        print(f"{kind}: {results[kind]['drain']['inputs_per_s']:,.0f} inputs/s", flush=True)
        if profile is not None:
            from bench.profile import summarize

            print(summarize(profile))
    report: dict[str, Any] = {
        "machine": machine, "settings": {k: str(v) for k, v in vars(args).items()},
        "message_bytes": [len(t.body) for t in templates],
        "results": results, "ratios": ratios(results)}
    out.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    print(table(results))
    for name, value in report["ratios"].items():
        print(f"{name}: {value:.2f}")
    if args.chart is not None and results:
        from bench.chart import routing_chart

        title = (f"{args.inputs:,} case.submitted inputs, 2 outputs each, RabbitMQ "
                 f"{machine['rabbitmq']}, {machine['cores']} cores ({args.store} store)")
        routing_chart(results, args.chart, title)
        print(f"chart: {args.chart}")
    print(f"results: {out}")


if __name__ == "__main__":
    main()
