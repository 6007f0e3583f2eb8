"""One demo run: simulators and hub up, the mix played, the summary taken from the store."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

import structlog

from hub.demo.accounting import DrainProgress, account, drain
from hub.demo.driver import Driver, running_driver
from hub.demo.mix import make_mix
from hub.demo.scenario import Options, Played, Progress, play
from hub.demo.summary import Summary, summarize
from hub.topology import topology_for
from hub.transports import connection_for

DRAIN_LIMIT_S = 60.0
"""How long the demo waits, after the cases settled, for the last messages to reach their
targets (a retry due later than that is listed as pending, with its reason)."""


def run_demo(workdir: Path, *, cases: int = 200, seed: int = 1, broker_url: str | None = None,
             store_url: str | None = None, namespace: str = "gridhub",
             options: Options | None = None, progress: Progress | None = None,
             drain_limit: float = DRAIN_LIMIT_S,
             draining: DrainProgress | None = None) -> Summary:
    """Play ``cases`` cases of the mix against a fresh hub in ``workdir``; the summary."""
    plans = make_mix(cases, seed)
    options = options or Options()
    with running_driver(workdir, broker_url=broker_url, namespace=namespace,
                        store_url=store_url, clock=options.clock()) as driver:
        played = play(driver, plans, options, progress)
        summary = finish(driver, played, drain_limit=drain_limit, draining=draining)
        connectors = list(driver.hub.connectors)
    if broker_url and broker_url.startswith("amqp"):
        _delete_topology(broker_url, namespace, connectors)
    return summary


def finish(driver: Driver, played: Played, *, drain_limit: float = DRAIN_LIMIT_S,
           draining: DrainProgress | None = None) -> Summary:
    """Let every message reach its target (at most ``drain_limit`` seconds), then the
    summary: what the store recorded, and per target where each message ended."""
    notes = list(played.problems)
    if played.outage is not None:
        start, end = played.outage
        notes.append(f"kis was down from {start:.0f}s to {end:.0f}s into the run"
                     if end >= 0 else f"kis was down from {start:.0f}s to the end")
    if played.timed_out:
        notes.append("stopped at the time limit: some cases were still moving")
    targets = sorted(driver.hub.connectors)
    drained = drain(driver.store, targets, driver.settings.broker_url,
                    driver.settings.namespace, limit=drain_limit, progress=draining)
    return summarize(driver.store, played.case_ids, elapsed=played.elapsed, notes=notes,
                     deliveries=account(driver.store, targets), drained=drained,
                     clock=played.clock, last_day=played.last_day)


def _delete_topology(broker_url: str, namespace: str, connectors: list[str]) -> None:
    """A demo on a shared RabbitMQ leaves no queues or exchanges behind."""
    topology = topology_for(namespace, broker_url)
    with connection_for(broker_url) as conn:
        channel = conn.channel()
        for queue in topology.all_queues(connectors):
            with contextlib.suppress(Exception):
                queue.bind(channel).delete()
        names = [f"{namespace}.metering.events", f"{namespace}.metering.events.dead"]
        for name in names:
            with contextlib.suppress(Exception):
                channel.queue_delete(name)
        for exchange in (topology.inbound, topology.outbound):
            with contextlib.suppress(Exception):
                exchange.bind(channel).delete()
        for name in (f"{namespace}.quant.events", f"{namespace}.metering.events.dlx"):
            with contextlib.suppress(Exception):
                channel.exchange_delete(name)


@contextlib.contextmanager
def logs_to(path: Path) -> Iterator[None]:
    """Send the hub's logs to ``path`` for the block (the terminal shows the progress bar),
    then back to where they went."""
    path.parent.mkdir(parents=True, exist_ok=True)
    saved = structlog.get_config()
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    with path.open("a", encoding="utf-8") as out:
        structlog.configure(logger_factory=structlog.PrintLoggerFactory(out))
        handler = logging.StreamHandler(out)
        if handlers:
            handler.setFormatter(handlers[0].formatter)
        root.handlers = [handler]
        try:
            yield
        finally:
            structlog.configure(**saved)
            root.handlers, root.level = handlers, level
