"""The state gauges of ``/metrics`` (queue depth, oldest age, dead letters per failure group,
targets reachable, pauses) read at scrape time from what ``gridhub status`` reports.

Here and not in ``hub.metrics``: the stages import the metrics, and the stages must not
depend on the operations code (an import-linter contract in pyproject.toml).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from hub.metrics import ConnectorState, GroupState, QueueState, StateSnapshot
from hub.ops.status import HubStatus, collect
from hub.store import Store


def snapshot_of(status: HubStatus) -> StateSnapshot:
    """The gauges' view of a ``gridhub status`` report."""
    return StateSnapshot(
        queues=[QueueState(q.name, q.depth, q.oldest_age_s, q.consumers, q.members,
                           q.members_online, q.under_replicated) for q in status.queues],
        groups=[GroupState(g.fingerprint, g.count, g.connector, g.exception_type,
                           g.message_type, g.route) for g in status.groups],
        connectors=[ConnectorState(c.name, c.reachable, c.paused is not None)
                    for c in status.connectors])


def status_snapshot(store: Store, *, broker_url: str, namespace: str,
                    connectors: Mapping[str, Any], management: Any = None,
                    reach_timeout: float = 2.0) -> Callable[[], StateSnapshot]:
    """A snapshot callable for ``add_state_collector`` reading ``hub.ops.status``. The
    reachability timeout is short: Prometheus times a scrape out after 10 s by default."""

    def snapshot() -> StateSnapshot:
        return snapshot_of(collect(store, broker_url=broker_url, namespace=namespace,
                                   connectors=connectors, management=management,
                                   reach_timeout=reach_timeout))

    return snapshot
