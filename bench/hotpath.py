"""CPU per input of the hub stage's pure steps, without broker or store: where a core goes.

Runs the steps ``HubStage`` runs for each case.submitted input of the routing benchmark,
one at a time on the same bodies, and prints microseconds per input for each: decode and
validate the envelope, apply it to the case projection (validates the payload), route it
to two outputs, build the three trace rows (each computes the business keys), encode the
two outputs, and dump the new case state for the store. Single process, no I/O; it
complements py-spy on the running worker (``bench.routing --profile``).

    python -m bench.hotpath --inputs 3000
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.hubworker import write_routes
from bench.messages import case_inputs, stamp, submitted_templates


def measure(inputs: int, repeat: int = 3) -> dict[str, float]:
    """Best-of-``repeat`` microseconds per input for each step."""
    import tempfile

    from hub import codec
    from hub.router import Delivery, Router
    from hub.routes import load_routes
    from hub.tracing import hop, safe_keys
    from schemas.projection import apply

    with tempfile.TemporaryDirectory() as tmp:
        router = Router(load_routes(write_routes(Path(tmp) / "routes.yaml")))
    bodies = [stamp(i, time.time()) for i in case_inputs(0, inputs, submitted_templates())]
    envs = [codec.decode(b) for b in bodies]
    states = [apply(None, e) for e in envs]
    actions = [router.route(e) for e in envs]
    steps: dict[str, Callable[[int], Any]] = {
        "decode envelope (JSON + model)": lambda i: codec.decode(bodies[i]),
        "apply to projection (validates payload)": lambda i: apply(None, envs[i]),
        "route (2 outputs)": lambda i: router.route(envs[i]),
        "trace: 3 hops, keys computed per hop": lambda i: [
            hop(envs[i], "received"), *(hop(a.message, "routed") for a in actions[i]
                                          if isinstance(a, Delivery))],
        "trace: business keys once": lambda i: safe_keys(envs[i]),
        "encode 2 outputs": lambda i: [codec.encode(a.message) for a in actions[i]
                                       if isinstance(a, Delivery)],
        "dump case state (projection row)": lambda i: states[i].model_dump(mode="json"),
    }
    result = {}
    for name, step in steps.items():
        best = float("inf")
        for _ in range(repeat):
            started = time.perf_counter()
            for i in range(inputs):
                step(i)
            best = min(best, time.perf_counter() - started)
        result[name] = best / inputs * 1e6
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.hotpath",
                                     description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--inputs", type=int, default=3000)
    args = parser.parse_args(argv)
    for name, micros in measure(args.inputs).items():
        print(f"{micros:8.1f} µs  {name}")


if __name__ == "__main__":
    main()
