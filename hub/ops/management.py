"""RabbitMQ's management HTTP API, for what AMQP cannot tell: consumers and rates per queue.

Optional by nature: when the plugin is off or unreachable, ``gridhub status`` shows "n/a"
for these columns and still reports everything else.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, unquote, urlsplit

DEFAULT_PORT = 15672
TIMEOUT_S = 3.0


class ManagementUnavailable(Exception):
    """The management API did not answer usefully (plugin off, refused, auth, timeout)."""


@dataclass(frozen=True)
class QueueStats:
    """One queue as the management API sees it. Rates are messages per second."""

    consumers: int | None
    ready: int | None
    unacked: int | None
    rate_in: float | None
    rate_out: float | None
    head_published_at: datetime | None  # only when publishers set a timestamp property
    # Quorum queues: the nodes holding a replica, those of them running, and the group size
    # the queue was declared with (x-quorum-initial-group-size; None: the broker's default).
    members: int | None = None
    online: int | None = None
    replicas_asked: int | None = None


class ManagementApi:
    """A small client: one GET per question, short timeout, credentials never logged."""

    def __init__(self, base_url: str, user: str, password: str, vhost: str = "/",
                 timeout: float = TIMEOUT_S) -> None:
        self.base_url = base_url.rstrip("/")
        self.vhost = vhost
        self._auth = base64.b64encode(f"{user}:{password}".encode()).decode()
        self._timeout = timeout

    def __repr__(self) -> str:
        return f"ManagementApi({self.base_url!r}, vhost={self.vhost!r})"

    def queue(self, name: str) -> QueueStats | None:
        """Stats of queue ``name``; None when the queue does not exist."""
        path = f"/api/queues/{quote(self.vhost, safe='')}/{quote(name, safe='')}"
        try:
            doc = self._get(path)
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            raise ManagementUnavailable(f"{self.base_url}{path}: HTTP {exc.code}") from None
        return _stats(doc)

    def cluster_size(self) -> int:
        """Nodes in the cluster, running or not (a stopped node is still a member)."""
        nodes = self._get("/api/nodes?columns=name")
        if not isinstance(nodes, list):
            raise ManagementUnavailable(f"{self.base_url}/api/nodes: not a list")
        return len(nodes)

    def _get(self, path: str) -> Any:
        request = urllib.request.Request(f"{self.base_url}{path}",
                                         headers={"Authorization": f"Basic {self._auth}"})
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                return json.load(response)
        except urllib.error.HTTPError:
            raise
        except (OSError, ValueError) as exc:  # refused, timeout, DNS, not JSON
            raise ManagementUnavailable(f"{self.base_url}: {exc}") from None


def management_for(broker_url: str, base_url: str | None = None) -> ManagementApi | None:
    """The management API of the RabbitMQ at ``broker_url`` (same host, port 15672, the
    broker's credentials and vhost); None for the embedded broker."""
    if not broker_url.startswith(("amqp://", "amqps://", "pyamqp://")):
        return None
    # kombu's "a;b;c" failover list: the first address (the rest, whole, would end up in
    # the vhost and show its password in the API path of an error).
    parts = urlsplit(broker_url.split(";", 1)[0].strip())
    vhost = unquote(parts.path[1:]) if len(parts.path) > 1 else "/"
    base = base_url or f"http://{parts.hostname or '127.0.0.1'}:{DEFAULT_PORT}"
    return ManagementApi(base, unquote(parts.username or "guest"),
                         unquote(parts.password or "guest"), vhost)


def _stats(doc: dict[str, Any]) -> QueueStats:
    stats = doc.get("message_stats") or {}
    head = doc.get("head_message_timestamp")
    return QueueStats(
        consumers=_consumers(doc),
        ready=_int(doc.get("messages_ready")),
        unacked=_int(doc.get("messages_unacknowledged")),
        rate_in=_rate(stats, "publish_details"),
        # What consumers took off the queue; acks lag deliveries by at most a batch.
        rate_out=_rate(stats, "deliver_get_details"),
        head_published_at=datetime.fromtimestamp(head, UTC) if isinstance(head, int) else None,
        members=_count(doc.get("members")),
        online=_count(doc.get("online")),
        replicas_asked=_int((doc.get("arguments") or {}).get("x-quorum-initial-group-size")),
    )


def _count(value: Any) -> int | None:
    return len(value) if isinstance(value, list) else None


def _consumers(doc: dict[str, Any]) -> int | None:
    # "consumers" comes with the periodic statistics (every 5 s by default) and is missing
    # for a queue declared since; the consumer list is kept up to date on every change.
    details = doc.get("consumer_details")
    return len(details) if isinstance(details, list) else _int(doc.get("consumers"))


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) else None


def _rate(stats: dict[str, Any], name: str) -> float | None:
    detail = stats.get(name)
    if isinstance(detail, dict) and isinstance(detail.get("rate"), int | float):
        return float(detail["rate"])
    # A queue nothing went through yet has no message_stats: that is a rate of zero.
    return 0.0 if not stats else None
