"""Contender (a): the real hub, built by ``hub.app.build`` with the hub stage only.

The routes file sends case.submitted (and case.note.added, for the scale-out run) to two
webhook connectors whose delivery stage does not run here (``roles=["hub"]``): the outputs
stay in ``{ns}.out.sink-a`` and ``{ns}.out.sink-b`` for the benchmark's consumer. Validation,
case projection, routing, idempotency keys, outbox and trace are all on, as in production.

    python -m bench.hubworker --url amqp://... --namespace bench-gridhub-x --store sqlite:///...
"""

from __future__ import annotations

import argparse
import signal
from pathlib import Path

from bench.broker import DEFAULT_URL, SINKS

ROUTES = """\
version: 1
connectors:
{connectors}
routes:
  - name: bench-fan-out
    match: {{type: [case.submitted, case.note.added]}}
    to: [{targets}]
"""


def write_routes(path: Path) -> Path:
    """A routes file with the two sink connectors (never called: no delivery role runs)."""
    connectors = "\n".join(
        f"  {name}:\n    plugin: webhook\n    settings: {{url: \"http://127.0.0.1:9/{name}\"}}"
        for name in SINKS)
    path.write_text(ROUTES.format(connectors=connectors, targets=", ".join(SINKS)),
                    encoding="utf-8")
    return path


def serve(url: str, namespace: str, store_url: str, routes: Path, log_level: str) -> None:
    from hub.app import build
    from hub.config import Settings
    from hub.logs import configure_logging

    settings = Settings(broker_url=url, store_url=store_url, routes=routes,
                        namespace=namespace, roles=("hub",), log_level=log_level)
    configure_logging(settings.log_level, json=settings.log_json)
    hub = build(settings)
    hub.start()
    signal.signal(signal.SIGTERM, lambda *_: hub._stop.set())
    signal.signal(signal.SIGINT, lambda *_: hub._stop.set())
    hub.wait()
    hub.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--namespace", required=True)
    parser.add_argument("--store", required=True, help="store URL (sqlite:///... or postgres)")
    parser.add_argument("--routes", type=Path, required=True)
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    serve(args.url, args.namespace, args.store, args.routes, args.log_level)


if __name__ == "__main__":
    main()
