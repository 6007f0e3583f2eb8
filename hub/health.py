"""``/healthz`` (the process is alive) and ``/readyz`` (it can do its work right now).

Readiness asks the broker for the hub's input queue and the store for one row, each within a
short timeout and in parallel, and names what is down: a load balancer or an on-call person
reading the JSON sees at once which dependency to look at.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Any

import sqlalchemy as sa

from hub.redaction import redact_url
from hub.store import Store

READY_TIMEOUT_S = 3.0


def liveness(*, detail: bool = True) -> dict[str, Any]:
    """Always ok while the process can answer; no dependency is asked (a broker outage must
    not make an orchestrator restart a healthy hub). ``detail``: the pid and the uptime too
    (only for a caller who logged in or sent a token)."""
    if not detail:
        return {"status": "ok"}
    return {"status": "ok", "pid": os.getpid(), "uptime_s": round(uptime_s(), 1)}


def uptime_s() -> float:
    """Seconds since this process started (not since this module was imported, which for
    the web is its first request): from /proc, where the kernel keeps the start time."""
    try:
        with open("/proc/self/stat") as stat, open("/proc/uptime") as boot:
            # Field 22 (after the parenthesised name, which may hold spaces): start time in
            # clock ticks after boot.
            started = int(stat.read().rsplit(")", 1)[1].split()[19])
            since_boot = float(boot.read().split()[0])
        return max(0.0, since_boot - started / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):  # no /proc (not Linux)
        return time.monotonic() - _IMPORTED


_IMPORTED = time.monotonic()


def readiness(store: Store, broker_url: str, namespace: str, *,
              timeout: float = READY_TIMEOUT_S) -> tuple[bool, dict[str, Any]]:
    """(ready, report). The report has ``status`` ("ready"/"not ready"), one entry per check
    ({"ok": bool, "error": why}), and ``down``: the names of the failed checks."""
    checks: dict[str, Callable[[], None]] = {
        "broker": lambda: _broker(broker_url, namespace, timeout),
        "store": lambda: _store(store),
    }
    pool = ThreadPoolExecutor(max_workers=len(checks), thread_name_prefix="readyz")
    futures = {pool.submit(check): name for name, check in checks.items()}
    done, _ = wait(futures, timeout=timeout)
    report: dict[str, Any] = {}
    for future, name in futures.items():
        if future not in done:
            report[name] = {"ok": False, "error": f"no answer within {timeout:g}s"}
        elif (exc := future.exception()) is not None:
            report[name] = {"ok": False, "error": _one_line(exc)}
        else:
            report[name] = {"ok": True}
    # Do not wait for a hung check: its thread ends when its own socket timeout fires.
    pool.shutdown(wait=False, cancel_futures=True)
    down = sorted(name for name in checks if not report[name]["ok"])
    report["status"] = "not ready" if down else "ready"
    report["down"] = down
    return not down, report


def _broker(broker_url: str, namespace: str, timeout: float) -> None:
    from hub.topology import topology_for
    from hub.transports import connection_for, queue_depth
    from hub.transports.embedded import SCHEME as EMBEDDED

    queue = topology_for(namespace, broker_url).hub_queue().name
    conn = connection_for(broker_url, connect_timeout=timeout)
    try:
        if not broker_url.startswith(EMBEDDED):
            # One attempt: kombu's default retries would turn "connection refused" into a
            # timeout that hides the cause.
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=timeout)
        # A passive look at the hub's own queue: the broker answers and the topology exists.
        queue_depth(conn, queue)
    finally:
        conn.release()


def _store(store: Store) -> None:
    with store.engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))


def _one_line(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    text = redact_url(text)  # never echo a broker password that a driver put in its message
    return f"{type(exc).__name__}: {text}"[:300]
