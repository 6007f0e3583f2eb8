"""Run a real hub in the test process (threads, real broker, real store) and wait on it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hub.app import Hub, build
from hub.config import Settings

FAST_POLICY = ("{immediate: 1, delayed: 4, initial_delay: 0.2, multiplier: 1.5, max_delay: 1, "
               "jitter: 0.1, max_age: 120}")


def routes_yaml(targets: dict[str, str], routes: str, policy: str = FAST_POLICY) -> str:
    """A routes file whose connectors are webhook instances posting to ``targets`` (name->url)."""
    connectors = "\n".join(
        f"  {name}: {{plugin: webhook, settings: {{url: \"{url}\", timeout: 5}}}}"
        for name, url in targets.items())
    return (f"version: 1\nretry_policies:\n  fast: {policy}\n"
            f"connectors:\n{connectors}\nroutes:\n{routes}")


def settings_for(tmp: Path, broker_url: str, namespace: str, routes: str, **extra: Any) -> Settings:
    routes_file = tmp / "routes.yaml"
    routes_file.write_text(routes)
    if broker_url == "embedded":
        broker_url = f"embedded://{tmp / 'broker.db'}"
    return Settings(broker_url=broker_url, store_url=f"sqlite:///{tmp / 'hub.db'}",
                    routes=routes_file, namespace=namespace, scheduler_interval_ms=50,
                    batch_linger_ms=2, **extra)


@contextmanager
def running_hub(settings: Settings) -> Iterator[Hub]:
    hub = build(settings)
    hub.start()
    try:
        yield hub
    finally:
        hub.stop(timeout=15)


def wait_until(predicate: Callable[[], bool], timeout: float = 30.0, what: str = "it") -> None:
    """Poll ``predicate`` until true; fail fast naming what was awaited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
