"""The machine and versions a benchmark ran on, for the results page."""

from __future__ import annotations

import os
import platform
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from bench.broker import server_version

PACKAGES = ("kombu", "amqp", "pika", "faststream", "aio-pika", "pydantic", "sqlalchemy",
            "psycopg", "matplotlib")


def _proc_field(path: str, name: str) -> str:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(name):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def describe(url: str) -> dict[str, str]:
    """Cores, memory, CPU model, OS, Python, RabbitMQ and the client library versions."""
    mem_kb = _proc_field("/proc/meminfo", "MemTotal").split()[0]
    info = {
        "cores": str(os.cpu_count()),
        "memory": f"{int(mem_kb) / 1024 / 1024:.1f} GiB" if mem_kb.isdigit() else "?",
        "cpu": _proc_field("/proc/cpuinfo", "model name"),
        "os": platform.platform(),
        "python": platform.python_version(),
        "rabbitmq": server_version(url),
    }
    info.update({p: _version(p) for p in PACKAGES})
    return info


def postgres_version(url: str) -> str:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return str(conn.exec_driver_sql("SHOW server_version").scalar())
    finally:
        engine.dispose()
