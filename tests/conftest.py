"""Session fixtures for the real servers the tests use: RabbitMQ and PostgreSQL on loopback.

``scripts/test`` starts both and exports their URLs. Run bare (``pytest`` in an IDE) the fixtures
try the default URLs and start the servers through the same ``scripts/services.sh``; a server
that still does not answer fails the test with what to run: tests never skip for a missing server.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import socket
import subprocess
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pika
import psycopg
import pytest

from hub.redaction import redact_url

ROOT = Path(__file__).resolve().parent.parent
SERVICES_SCRIPT = ROOT / "scripts" / "services.sh"
DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672//"
DEFAULT_PG_URL = "postgresql+psycopg://gridhub:gridhub@127.0.0.1:5432/gridhub_test"
MANAGEMENT_PORT = 15672
# Starting both servers takes ~10 s; the test timeout (120 s) covers fixture setup too.
SERVICES_TIMEOUT = 90


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def psycopg_conninfo(url: str) -> str:
    """``postgresql+psycopg://...`` (SQLAlchemy form) as a URL psycopg itself accepts."""
    scheme, sep, rest = url.partition("://")
    return f"{scheme.split('+')[0]}{sep}{rest}"


def pika_parameters(url: str) -> pika.URLParameters:
    """Pika parameters for a kombu-style URL: kombu reads ``host//`` as vhost "/", pika as ""."""
    params = pika.URLParameters(url)
    params.virtual_host = _vhost(url)
    return params


def amqp_answers(url: str) -> str | None:
    """None when an AMQP connection to ``url`` opens, else why not."""
    params = pika_parameters(url)
    params.connection_attempts = 1
    params.socket_timeout = 3
    params.blocked_connection_timeout = 3
    try:
        pika.BlockingConnection(params).close()
    except Exception as exc:  # any failure means "not usable"; the reason goes in the message
        return f"{type(exc).__name__}: {exc}"
    return None


def pg_answers(url: str) -> str | None:
    """None when ``select 1`` works on ``url``, else why not."""
    try:
        with psycopg.connect(psycopg_conninfo(url), connect_timeout=3) as conn:
            conn.execute("select 1")
    except psycopg.Error as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def _start_services() -> str:
    """Run ``scripts/services.sh ensure``; its output, for the failure message."""
    try:
        done = subprocess.run(["bash", str(SERVICES_SCRIPT), "ensure"], capture_output=True,
                              text=True, timeout=SERVICES_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        return f"{SERVICES_SCRIPT} ensure took over {SERVICES_TIMEOUT}s"
    return f"{SERVICES_SCRIPT} ensure exited {done.returncode}: {done.stderr.strip()[-1500:]}"


def _server_url(env: str, default: str, probe: Callable[[str], str | None], what: str) -> str:
    url = os.environ.get(env)
    if url:
        problem = probe(url)
        if problem:
            pytest.fail(f"{what} at {env}={redact_url(url)} does not answer ({problem}); "
                        f"start it, or unset {env} and run scripts/test", pytrace=False)
        return url
    problem = probe(default)
    if problem is None:
        return default
    started = _start_services()
    problem = probe(default)
    if problem:
        pytest.fail(f"{what} at {redact_url(default)} does not answer ({problem}); tried "
                    f"{started}. Run scripts/test, which installs and starts it.", pytrace=False)
    return default




@pytest.fixture(scope="session")
def amqp_url() -> str:
    """URL of a real RabbitMQ (``GRIDHUB_TEST_AMQP_URL``, default guest on 127.0.0.1:5672)."""
    return _server_url("GRIDHUB_TEST_AMQP_URL", DEFAULT_AMQP_URL, amqp_answers, "RabbitMQ")


@pytest.fixture(scope="session")
def pg_url() -> str:
    """SQLAlchemy URL of a real PostgreSQL database (``GRIDHUB_TEST_PG_URL``)."""
    return _server_url("GRIDHUB_TEST_PG_URL", DEFAULT_PG_URL, pg_answers, "PostgreSQL")


def _vhost(url: str) -> str:
    path = urlsplit(url).path
    return unquote(path[1:]) if len(path) > 1 else "/"


def _names_from_management_api(url: str, kind: str) -> list[str]:
    parts = urlsplit(url)
    api = (f"http://{parts.hostname}:{MANAGEMENT_PORT}/api/{kind}/"
           f"{quote(_vhost(url), safe='')}?columns=name")
    token = base64.b64encode(f"{unquote(parts.username or 'guest')}:"
                             f"{unquote(parts.password or 'guest')}".encode()).decode()
    request = urllib.request.Request(api, headers={"Authorization": f"Basic {token}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return [item["name"] for item in json.load(response)]


def _names_from_rabbitmqctl(url: str, kind: str) -> list[str]:
    done = subprocess.run(["rabbitmqctl", f"list_{kind}", "-p", _vhost(url), "name", "-q",
                           "--no-table-headers"], capture_output=True, text=True, timeout=30,
                          check=True)
    return [line.strip() for line in done.stdout.splitlines() if line.strip()]


def broker_names(url: str, kind: str) -> list[str]:
    """Names of every ``kind`` ("queues" or "exchanges") in the vhost of ``url``.

    The management API works for any OS user; rabbitmqctl (needs the node's cookie, so root or
    the rabbitmq user) is the fallback when the plugin is off.
    """
    try:
        return _names_from_management_api(url, kind)
    except (OSError, urllib.error.URLError, ValueError) as api_error:
        try:
            return _names_from_rabbitmqctl(url, kind)
        except (OSError, subprocess.SubprocessError) as ctl_error:
            raise RuntimeError(f"cannot list RabbitMQ {kind} for {redact_url(url)}: management API "
                               f"said {api_error}; rabbitmqctl said {ctl_error}") from ctl_error


def purge_namespace(url: str, prefix: str) -> list[str]:
    """Delete every queue and exchange whose name starts with ``prefix``; the names deleted."""
    doomed = [("queue", n) for n in broker_names(url, "queues") if n.startswith(prefix)]
    doomed += [("exchange", n) for n in broker_names(url, "exchanges") if n.startswith(prefix)]
    connection = pika.BlockingConnection(pika_parameters(url))
    try:
        channel = connection.channel()
        for kind, name in doomed:
            try:
                if kind == "queue":
                    channel.queue_delete(name)
                else:
                    channel.exchange_delete(name)
            except pika.exceptions.ChannelClosedByBroker:
                # An exclusive queue of a connection still open elsewhere: it dies with that
                # connection; the broker closed our channel, so take a new one and go on.
                channel = connection.channel()
    finally:
        connection.close()
    return [name for _, name in doomed]


@pytest.fixture
def amqp_namespace(amqp_url: str) -> Iterator[str]:
    """A fresh exchange/queue name prefix (``t<hex8>``); everything under it is deleted after."""
    prefix = f"t{secrets.token_hex(4)}"
    yield prefix
    purge_namespace(amqp_url, prefix)
