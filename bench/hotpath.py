"""CPU per input of the hub stage's pure steps, without broker or store: where a core goes.

Runs the steps ``HubStage`` runs for each case.submitted input of the routing benchmark,
one at a time on the same bodies, and prints microseconds per input for each: decode and
validate the envelope, apply it to the case projection (validates the payload once and
finds the business keys), route it to two outputs, build the three trace rows (with the
keys ``apply`` found), encode the two outputs, and dump the new case state for the store.
The last lines are the whole ``HubStage.handle`` per input on a SQLite store in a temporary
directory with a publisher that discards (no broker): the pure steps plus the store
transaction, in batches of 250 (a drain) and of 3 (what a steady half load brings within
the 5 ms linger), so the per-batch cost shows. Single process; it complements py-spy on the
running worker (``bench.routing --profile``).

    python -m bench.hotpath --inputs 3000
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from kombu import Connection
from kombu.message import Message

from bench.hubworker import write_routes
from bench.messages import case_inputs, stamp, submitted_templates
from hub.publisher import Outgoing, Publisher

BATCH = 250  # the hub's default batch size
SMALL_BATCH = 3  # ~575 inputs/s within the hub's 5 ms linger


def measure(inputs: int, repeat: int = 3) -> dict[str, float]:
    """Best-of-``repeat`` microseconds per input for each step."""
    from hub import codec
    from hub.router import Delivery, Router
    from hub.routes import load_routes
    from hub.tracing import hop, safe_keys
    from schemas.projection import apply, project, state_json

    with tempfile.TemporaryDirectory() as tmp:
        router = Router(load_routes(write_routes(Path(tmp) / "routes.yaml")))
    bodies = [stamp(i, time.time()) for i in case_inputs(0, inputs, submitted_templates())]
    envs = [codec.decode(b) for b in bodies]
    states = [apply(None, e) for e in envs]
    keys = [project(None, e).payload_keys for e in envs]
    actions = [router.route(e) for e in envs]
    steps: dict[str, Callable[[int], Any]] = {
        "decode envelope (JSON + model)": lambda i: codec.decode(bodies[i]),
        "apply to projection (validates payload, finds keys)": lambda i: project(None, envs[i]),
        "route (2 outputs)": lambda i: router.route(envs[i]),
        "trace: 3 hops, keys from apply": lambda i: [
            hop(envs[i], "received", keys=keys[i]),
            *(hop(a.message, "routed", keys=keys[i]) for a in actions[i]
              if isinstance(a, Delivery))],
        "(business keys by a second validation, no longer run)": lambda i: safe_keys(envs[i]),
        "encode 2 outputs": lambda i: [codec.encode(a.message) for a in actions[i]
                                       if isinstance(a, Delivery)],
        "dump case state (projection row)": lambda i: state_json(states[i]),
    }
    result = {name: _best(step, inputs, repeat) / inputs * 1e6 for name, step in steps.items()}
    for batch in (BATCH, SMALL_BATCH):
        result[f"hub stage per input: all of the above + SQLite transaction, batches of "
               f"{batch}"] = measure_stage(inputs, repeat, batch)
    return result


def measure_stage(inputs: int, repeat: int = 3, size: int = BATCH, *,
                  store_url: str | None = None, first_case: int = 0,
                  clock: Callable[[], float] = time.perf_counter) -> float:
    """Best-of-``repeat`` microseconds per input of ``HubStage.handle`` on a SQLite store in
    a temporary directory, or on the store at ``store_url`` (``bench.store_growth``: a grown
    one), with new cases from ``first_case`` on. ``clock``: ``time.process_time`` counts this
    process's CPU only (SQLite's work included), steadier on a shared machine."""
    from hub.pipeline import HubStage
    from hub.router import Router
    from hub.routes import load_routes
    from hub.store import Store
    from hub.topology import Topology

    templates = submitted_templates()
    with tempfile.TemporaryDirectory() as tmp:
        router = Router(load_routes(write_routes(Path(tmp) / "routes.yaml")))
        store = Store(store_url or f"sqlite:///{tmp}/hub.db")
        store.open()
        try:
            stage = HubStage(store, router, Topology("hotpath", quorum=False), _Discard())
            best = float("inf")
            for round_ in range(repeat):  # fresh cases and ids: no duplicate shortcuts
                batches = _batches(
                    case_inputs(first_case + round_ * inputs, inputs, templates), size)
                started = clock()
                for batch in batches:
                    stage.handle(batch)
                best = min(best, clock() - started)
        finally:
            store.close()
    return best / inputs * 1e6


class _Discard(Publisher):
    """A publisher without a broker: the stage's CPU without the confirm wait."""

    def __init__(self) -> None:
        self._connection = Connection("memory://")

    def publish_unconfirmed(self, messages: Sequence[Outgoing]) -> int | None:
        return None


def _batches(items: Sequence[Any], size: int) -> list[list[Message]]:
    now = time.time()
    messages = [Message(body=stamp(item, now), delivery_tag=n, headers={})
                for n, item in enumerate(items, start=1)]
    return [messages[i:i + size] for i in range(0, len(messages), size)]


def _best(step: Callable[[int], Any], inputs: int, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for i in range(inputs):
            step(i)
        best = min(best, time.perf_counter() - started)
    return best


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.hotpath",
                                     description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--inputs", type=int, default=3000)
    args = parser.parse_args(argv)
    for name, micros in measure(args.inputs).items():
        print(f"{micros:8.1f} µs  {name}")


if __name__ == "__main__":
    main()
