"""``gridhub status``: is the hub healthy? Queues, waiting retries, failure groups, targets.

Every source is asked on its own and a source that does not answer becomes a "problem" line
for its part, never a failure of the whole report: at 03:00 a partial answer beats none.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from hub.connector import Connector
from hub.ops.db import reading
from hub.ops.management import ManagementApi, ManagementUnavailable, QueueStats
from hub.ops.pause import Pause, pauses
from hub.redaction import redact_url
from hub.store import DeadLetterGroup, Store
from hub.store.tables import scheduled as sched
from hub.store.trace import latest_routed_at
from hub.topology import topology_for
from hub.transports import QueueNotFound, connection_for, queue_depth
from hub.transports.embedded import SCHEME as EMBEDDED
from hub.transports.embedded_store import MESSAGE_TABLE, QUEUE_TABLE

REACH_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class QueueStatus:
    """One queue. ``None`` means unknown (the source did not answer or cannot tell)."""

    name: str
    depth: int | None = None
    consumers: int | None = None
    rate_in: float | None = None
    rate_out: float | None = None
    oldest_age_s: float | None = None
    oldest_from: str | None = None  # "broker" (exact) or "trace" (estimated)
    problem: str | None = None
    # Quorum queues on RabbitMQ (from the management API): replicas, how many of them run,
    # and how many the queue should have (what it asked for, at most the cluster's nodes).
    members: int | None = None
    members_online: int | None = None
    members_wanted: int | None = None

    @property
    def under_replicated(self) -> bool | None:
        """Fewer replicas than wanted, or some of them on a node that is down."""
        if self.members is None or self.members_wanted is None:
            return None
        return self.members < self.members_wanted or (self.members_online or 0) < self.members


@dataclass(frozen=True)
class WaitingStatus:
    """Messages the scheduler keeps for one destination."""

    destination: str
    retries: int  # due at a set time
    held: int  # waiting behind an earlier message of their case, or for a paused connector
    overdue: int  # due before now: the scheduler is behind (or a delivery holds its lease)
    next_due: datetime | None


@dataclass(frozen=True)
class ConnectorStatus:
    name: str
    reachable: bool | None = None
    paused: Pause | None = None
    problem: str | None = None


@dataclass(frozen=True)
class HubStatus:
    at: datetime
    broker: str
    namespace: str
    queues: list[QueueStatus]
    waiting: list[WaitingStatus]
    groups: list[DeadLetterGroup]
    connectors: list[ConnectorStatus]
    management: str  # "ok", "not used (embedded broker)", or "unavailable: why"
    problems: list[str] = field(default_factory=list)


def collect(store: Store, *, broker_url: str, namespace: str,
            connectors: Mapping[str, Connector | str], management: ManagementApi | None,
            reach_timeout: float = REACH_TIMEOUT_S) -> HubStatus:
    """Gather the status. ``connectors`` maps each configured connector to its instance, or
    to why it could not be built (e.g. plugin not installed)."""
    at = datetime.now(UTC)
    topology = topology_for(namespace, broker_url)
    names = [q.name for q in topology.all_queues(sorted(connectors))]
    depths, problems = _depths(broker_url, names)
    stats, management_state, cluster = _management(management, names)
    with reading(store) as conn:
        waiting = _waiting(conn, at)
        paused = pauses(conn)
        queues = [_replication(_queue(conn, broker_url, namespace, name, depths.get(name),
                                      stats.get(name), at), stats.get(name), cluster)
                  for name in names]
    problems += [_under_replicated(q) for q in queues if q.under_replicated]
    groups = store.dead_letter_groups("open")
    reach = _reachability(connectors, reach_timeout)
    conns = [_connector(name, connectors[name], reach, paused.get(name), reach_timeout)
             for name in sorted(connectors)]
    return HubStatus(at, redact_url(broker_url), namespace, queues, waiting, groups, conns,
                     management_state, problems)


def _connector(name: str, entry: Connector | str, reach: Mapping[str, bool],
               paused: Pause | None, timeout: float) -> ConnectorStatus:
    if isinstance(entry, str):
        return ConnectorStatus(name, None, paused, entry)
    if name not in reach:
        return ConnectorStatus(name, None, paused, f"no answer within {timeout:g}s")
    return ConnectorStatus(name, reach[name], paused)


def _depths(broker_url: str, names: list[str]) -> tuple[dict[str, int | str], list[str]]:
    """Depth per queue, or why unknown. The embedded broker is read from its file without
    taking its lock, so this works while the hub owns it."""
    found: dict[str, int | str] = {}
    try:
        conn = connection_for(broker_url, connect_timeout=3)
    except Exception as exc:  # a broken URL: report it, keep going
        return {}, [redact_url(f"broker {broker_url}: {exc}")]
    try:
        for name in names:
            try:
                found[name] = queue_depth(conn, name)
            except QueueNotFound:
                found[name] = "not declared (has the hub run with this namespace?)"
    except Exception as exc:  # unreachable broker: one problem line, not one per queue
        return {}, [redact_url(f"broker {broker_url} does not answer: {exc}")]
    finally:
        conn.release()
    return found, []


def _management(api: ManagementApi | None, names: list[str]
                ) -> tuple[dict[str, QueueStats | None], str, int | None]:
    """Stats per queue, the API's state, and the cluster's node count (None: unknown)."""
    if api is None:
        return {}, "not used (embedded broker)", None
    found: dict[str, QueueStats | None] = {}
    try:
        for name in names:
            found[name] = api.queue(name)
        cluster = api.cluster_size()
    except ManagementUnavailable as exc:
        return {}, f"unavailable: {exc}", None
    return found, "ok", cluster


def _replication(queue: QueueStatus, stats: QueueStats | None,
                 cluster: int | None) -> QueueStatus:
    if stats is None or stats.members is None or cluster is None:
        return queue
    wanted = min(stats.replicas_asked or cluster, cluster)
    return replace(queue, members=stats.members, members_online=stats.online,
                   members_wanted=wanted)


def _under_replicated(q: QueueStatus) -> str:
    """A problem line that says what to do (README: "Running on a RabbitMQ cluster")."""
    head = (f"queue {q.name} is under-replicated: {q.members} of {q.members_wanted} replicas, "
            f"{q.members_online} running; ")
    if (q.members or 0) < (q.members_wanted or 0):
        prefix = q.name.split(".")[0]
        return head + (f"add one on each node that lacks it: rabbitmq-queues grow rabbit@NODE "
                       f"all --queue-pattern '^{prefix}[.]'")
    return head + "start the nodes that are down (rabbitmqctl cluster_status names them)"


def _queue(conn: sa.Connection, broker_url: str, namespace: str, name: str,
           depth: int | str | None, stats: QueueStats | None, at: datetime) -> QueueStatus:
    if isinstance(depth, str) or depth is None:
        return QueueStatus(name, problem=depth or "broker did not answer")
    age, source = _oldest(conn, broker_url, namespace, name, depth, stats, at)
    return QueueStatus(
        name, depth, stats.consumers if stats else None, stats.rate_in if stats else None,
        stats.rate_out if stats else None, age, source)


def _oldest(conn: sa.Connection, broker_url: str, namespace: str, name: str, depth: int,
            stats: QueueStats | None, at: datetime) -> tuple[float | None, str | None]:
    """Age in seconds of the oldest ready message: exact from the embedded broker's file or
    a publisher timestamp; else estimated from the trace for a delivery queue (the depth-th
    latest message routed to its connector); else unknown."""
    if depth == 0:
        return None, None
    if broker_url.startswith(EMBEDDED):
        published = _embedded_oldest(Path(broker_url[len(EMBEDDED):]), name)
        return (max((at - published).total_seconds(), 0.0), "broker") if published else (None,
                                                                                          None)
    if stats is not None and stats.head_published_at is not None:
        return max((at - stats.head_published_at).total_seconds(), 0.0), "broker"
    prefix = f"{namespace}.out."
    if not name.startswith(prefix):
        return None, None
    routed = conn.scalar(latest_routed_at(name[len(prefix):], depth))
    return (max((at - routed).total_seconds(), 0.0), "trace") if routed else (None, None)


def _embedded_oldest(path: Path, queue: str) -> datetime | None:
    """Publish time of the oldest ready message, read-only (a WAL reader never blocks)."""
    if not path.exists():
        return None
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
    try:
        row = db.execute(
            f"SELECT min(m.timestamp) FROM {MESSAGE_TABLE} m JOIN {QUEUE_TABLE} q "
            "ON q.id = m.queue_id WHERE q.name = ? AND m.visible = 1", (queue,)).fetchone()
    except sqlite3.OperationalError:  # no tables yet: nothing was ever published
        return None
    finally:
        db.close()
    if not row or not row[0]:
        return None
    return datetime.fromisoformat(str(row[0])).replace(tzinfo=UTC)


def _waiting(conn: sa.Connection, at: datetime) -> list[WaitingStatus]:
    timed = sched.c.due_at.is_not(None)
    stmt = (sa.select(sched.c.destination,
                      sa.func.count(sched.c.due_at).label("retries"),
                      sa.func.sum(sa.case((timed, 0), else_=1)).label("held"),
                      sa.func.sum(sa.case((sched.c.due_at < at, 1), else_=0)).label("overdue"),
                      sa.func.min(sched.c.due_at).label("next_due"))
            .group_by(sched.c.destination).order_by(sched.c.destination))
    out = []
    for row in conn.execute(stmt).mappings():
        next_due = row["next_due"]
        if isinstance(next_due, str):  # min() over SQLite text
            next_due = datetime.fromisoformat(next_due).replace(tzinfo=UTC)
        elif next_due is not None and next_due.tzinfo is None:
            next_due = next_due.replace(tzinfo=UTC)
        out.append(WaitingStatus(row["destination"], int(row["retries"]), int(row["held"] or 0),
                                 int(row["overdue"] or 0), next_due))
    return out


def _reachability(connectors: Mapping[str, Connector | str],
                  timeout: float) -> dict[str, bool]:
    """Ask every target at once; one that does not answer in ``timeout`` is left out."""
    live = {n: c for n, c in connectors.items() if not isinstance(c, str)}
    found: dict[str, bool] = {}
    if not live:
        return found
    pool = ThreadPoolExecutor(max_workers=min(len(live), 16), thread_name_prefix="reach")
    futures = {pool.submit(c.reachable): n for n, c in live.items()}
    done, _ = wait(futures, timeout=timeout)
    for future in done:
        try:
            found[futures[future]] = bool(future.result())
        except Exception:  # a connector whose check itself fails is not reachable
            found[futures[future]] = False
    pool.shutdown(wait=False, cancel_futures=True)
    return found

