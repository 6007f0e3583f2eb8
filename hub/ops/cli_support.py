"""What the ops commands share: settings, store, errors as one line, filters, progress.

Exit codes as ``hub/cli.py``: 0 success, 1 runtime failure (or nothing found, or a run that
stopped early), 2 usage error, 3 invalid configuration, 4 invalid input. Errors are one line
on stderr, never a stack trace. Imports are lazy: ``gridhub --help`` opens no database.
"""

from __future__ import annotations

import functools
import re
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn, TypeVar

import click

EXIT_RUNTIME, EXIT_CONFIG, EXIT_INPUT = 1, 3, 4
F = TypeVar("F", bound=Callable[..., Any])
_RELATIVE = re.compile(r"^(\d+)\s*([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
MAX_AGE_DAYS = 700_000  # about 1900 years: any age up to this is a time after the year 1


def fail(message: str, code: int = EXIT_RUNTIME) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


class When(click.ParamType):
    """A time: ISO (``2024-03-14``, ``2024-03-14T08:30``; UTC unless it has an offset) or an
    age (``30m``, ``2h``, ``3d``: that long ago)."""

    name = "time"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        relative = _RELATIVE.match(text)
        if relative:
            try:
                delta = timedelta(**{_UNITS[relative[2]]: int(relative[1])})
                return datetime.now(UTC) - delta
            except OverflowError:  # timedelta or datetime out of range: not a time at all
                self.fail(f"{text!r} reaches back before the year 1: give an age of at most "
                          f"{MAX_AGE_DAYS} days (or an ISO time)", param, ctx)
        try:
            parsed = datetime.fromisoformat(text)
            # Normalised to UTC here, so an offset at the edge of the calendar fails now
            # rather than in a query.
            return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)
        except (ValueError, OverflowError):
            self.fail(f"{text!r} is neither an ISO time (2024-03-14T08:30) nor an age "
                      "(30m, 2h, 3d)", param, ctx)


def guard(func: F) -> F:
    """Turn the errors an operator can meet into one line and an exit code."""

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        from sqlalchemy.exc import SQLAlchemyError

        from hub.errors import ConfigurationError, GridhubError

        try:
            return func(*args, **kwargs)
        except ConfigurationError as exc:
            fail(str(exc), EXIT_CONFIG)
        except (GridhubError, SQLAlchemyError, OSError) as exc:
            fail(one_line(exc))

    return run  # type: ignore[return-value]


def one_line(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}"[:500]


def load_settings(ctx: click.Context) -> Any:
    from hub.config import Settings
    from hub.errors import ConfigurationError

    root = ctx.find_root().obj or {}
    try:
        return Settings.load(root.get("config"))
    except ConfigurationError as exc:
        fail(str(exc), EXIT_CONFIG)
    except Exception as exc:  # pydantic ValidationError: name the setting
        fail(f"invalid settings: {exc}", EXIT_CONFIG)


@contextmanager
def cli_store(settings: Any) -> Iterator[Any]:
    from hub.ops.db import open_store
    from hub.store.engine import safe_url

    try:
        store = open_store(settings.store_url)
    except Exception as exc:  # unreachable database, bad URL: say which store
        fail(f"store {safe_url(settings.store_url)}: {one_line(exc)}")
    try:
        yield store
    finally:
        store.close()


def configured_connectors(settings: Any, *, warn: bool = True) -> dict[str, Any] | None:
    """The connectors of the routes file by name (their specs); None when it cannot be read."""
    from hub.errors import ConfigurationError
    from hub.routes import load_routes

    try:
        return dict(load_routes(settings.routes).connectors)
    except ConfigurationError as exc:
        if warn:
            click.echo(f"warning: routes file not usable, connectors not checked: "
                       f"{one_line(exc)}", err=True)
        return None


def actor() -> str:
    from hub.ops.audit import current_actor

    return current_actor()


def json_out(value: Any) -> None:
    from hub.ops.render import dumps

    click.echo(dumps(value))


def filter_options(func: F) -> F:
    """The dead-letter filters shared by list, replay and discard."""
    options = [
        click.option("--group", "fingerprint", help="failure group (fingerprint)"),
        click.option("--key", help="case id, GSRN, meter number or work-order id"),
        click.option("--case", "case_id", help="case id (exact)"),
        click.option("--route", help="route name"),
        click.option("--connector", help="connector that failed (\"hub\": refused by the hub)"),
        click.option("--type", "message_type", help="message type, e.g. case.submitted"),
        click.option("--since", type=When(), help="last failure at or after (ISO or 2h, 3d)"),
        click.option("--until", type=When(), help="last failure at or before (ISO or 30m)"),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def make_selection(ids: tuple[int, ...] = (), everything: bool = False, **filters: Any) -> Any:
    from hub.ops.selection import Selection

    return Selection(ids=ids, everything=everything, **filters)


class NoPublisher:
    """For the planning pass: a dry run never publishes."""

    def publish(self, messages: Any) -> None:
        raise RuntimeError("a dry run must not publish")


@contextmanager
def broker_publisher(settings: Any, connectors: list[str]) -> Iterator[Any]:
    from hub.errors import ConfigurationError
    from hub.publisher import Publisher
    from hub.topology import topology_for
    from hub.transports import BrokerInUse, connection_for

    conn = connection_for(settings.broker_url)
    try:
        topology_for(settings.namespace, settings.broker_url,
                     replicas=settings.broker_replicas).declare(conn, connectors)
        publisher = Publisher(conn)
    except BrokerInUse as exc:
        conn.release()
        fail(f"{exc}. The embedded broker serves one process: stop `gridhub run`, replay, "
              "start it again (dead letters wait safely in the store)")
    except (ConfigurationError, OSError, *conn.connection_errors) as exc:
        conn.release()
        fail(f"broker: {one_line(exc)}")
    try:
        yield publisher
    finally:
        publisher.close()
        conn.release()


@contextmanager
def progress(total: int, label: str, quiet: bool) -> Iterator[tuple[Any, Any]]:
    """A progress bar and a Control that the first Ctrl-C stops (after the current one)."""
    from hub.ops.replay import Control

    control = Control()
    previous = None
    if threading.current_thread() is threading.main_thread():
        def stop(_signum: int, _frame: object) -> None:
            click.echo("\nstopping after the current message ...", err=True)
            control.stop()
        previous = signal.signal(signal.SIGINT, stop)
    try:
        with click.progressbar(length=total, label=label, file=sys.stderr,
                               hidden=quiet) as bar:
            yield (lambda _item: bar.update(1)), control
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
