"""The `gridhub` command.

Exit codes: 0 success, 1 runtime failure, 2 usage error (click), 3 invalid configuration
(settings or routes.yaml), 4 invalid input (a message or document that breaks its contract).
"""

from __future__ import annotations

import contextlib
import json
import signal
import sys
from pathlib import Path
from typing import Any

import click
import structlog

from hub import __version__

EXIT_RUNTIME, EXIT_CONFIG, EXIT_INPUT = 1, 3, 4


def _settings(ctx: click.Context, **overrides: Any) -> Any:
    from hub.config import Settings
    from hub.errors import ConfigurationError

    try:
        return Settings.load(ctx.obj.get("config"), **overrides)
    except ConfigurationError as exc:
        _fail(str(exc), EXIT_CONFIG)
    except Exception as exc:  # pydantic ValidationError: name the setting
        _fail(f"invalid settings: {exc}", EXIT_CONFIG)


def _fail(message: str, code: int) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config", type=click.Path(path_type=Path, dir_okay=False),
              envvar="GRIDHUB_CONFIG", help="TOML settings file (env: GRIDHUB_CONFIG).")
@click.version_option(__version__, "--version", prog_name="gridhub")
@click.pass_context
def main(ctx: click.Context, config: Path | None) -> None:
    """gridhub: the integration hub between a grid owner's systems.

    Settings come from defaults, a TOML file (--config), then GRIDHUB_* environment
    variables, then flags. With none, gridhub runs on the embedded broker and SQLite in ./var.
    """
    ctx.ensure_object(dict)
    ctx.obj["config"] = config


@main.command()
def version() -> None:
    """Print gridhub's version."""
    click.echo(f"gridhub {__version__}")


@main.command()
@click.option("--broker", "broker_url", help="embedded://FILE or amqp://... (GRIDHUB_BROKER_URL)")
@click.option("--store", "store_url", help="sqlite:///FILE or postgresql+psycopg://...")
@click.option("--routes", type=click.Path(path_type=Path, dir_okay=False), help="routes file")
@click.option("--web", "web_listen", metavar="HOST:PORT",
              help="also serve the ops web, /metrics and /healthz here (GRIDHUB_WEB_LISTEN)")
@click.option("--role", "roles", multiple=True,
              type=click.Choice(["hub", "deliver", "scheduler", "inbound"]),
              help="run only these parts (repeatable); default all")
@click.pass_context
def run(ctx: click.Context, broker_url: str | None, store_url: str | None,
        routes: Path | None, web_listen: str | None, roles: tuple[str, ...]) -> None:
    """Start the hub with every connector in routes.yaml; stop cleanly on SIGTERM/SIGINT."""
    from hub.app import build
    from hub.errors import ConfigurationError
    from hub.logs import configure_logging

    settings = _settings(ctx, broker_url=broker_url, store_url=store_url, routes=routes,
                         roles=roles or None, web_listen=web_listen)
    try:
        if settings.web_listen:  # refuse a web without its secret before anything starts
            from hub.web.app import session_secret

            session_secret(settings, settings.web_listen.rsplit(":", 1)[0])
    except ConfigurationError as exc:
        _fail(str(exc), EXIT_CONFIG)
    configure_logging(settings.log_level, json=settings.log_json)
    try:
        hub = build(settings)
    except ConfigurationError as exc:
        _fail(str(exc), EXIT_CONFIG)
    _start(hub)
    web = _serve_web(hub) if settings.web_listen else None

    def _stop(signum: int, _frame: object) -> None:
        hub._stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    hub.wait()
    if web is not None:
        web.stop()
    hub.stop()


def _start(hub: Any) -> None:
    """Start the hub, or say in one line why not (an unreachable broker, a port in use)."""
    from kombu.exceptions import OperationalError

    from hub.errors import ConfigurationError
    from hub.redaction import redact_url

    try:
        hub.start()
    except ConfigurationError as exc:
        _stop_quietly(hub)
        _fail(str(exc), EXIT_CONFIG)
    except (OSError, OperationalError) as exc:
        _stop_quietly(hub)
        _fail(redact_url(f"the hub did not start: {type(exc).__name__}: {exc} (broker "
                         f"{hub.settings.broker_url})"), EXIT_RUNTIME)


def _stop_quietly(hub: Any) -> None:
    with contextlib.suppress(Exception):
        hub.stop(timeout=5)


def _serve_web(hub: Any) -> Any:
    """The ops web in this process: it shares the hub's metrics, store and connectors."""
    from hub.access import Access
    from hub.web.app import create_app
    from hub.web.server import WebServer

    assert hub.settings.web_listen is not None
    host, port = hub.settings.web_listen.rsplit(":", 1)
    access = Access(hub.store)
    access.ensure_tables()
    app = create_app(hub.settings, access=access, metrics=hub.metrics, store=hub.store,
                     connectors=hub.connectors, listen_host=host)
    web = WebServer(app, host, int(port))
    web.start()
    # logged, not echoed: stderr is the JSON log stream of `gridhub run`
    structlog.get_logger("gridhub").info("web.listening", url=web.url)
    return web


@main.group()
def routes() -> None:
    """Work with routes.yaml."""


@routes.command("check")
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--plugins/--no-plugins", default=True,
              help="also check that every connector's plugin is installed")
@click.option("-v", "--verbose", is_flag=True,
              help="also print each retry policy's schedule: attempt, delay, time since the "
                   "first failure")
@click.pass_context
def routes_check(ctx: click.Context, file: Path | None, plugins: bool, verbose: bool) -> None:
    """Validate routes.yaml (or FILE) and exit 3 with every error, file:line: key: why."""
    from hub.errors import ConfigurationError
    from hub.plugins import installed
    from hub.routes import load_routes

    path = file or _settings(ctx).routes
    if not path.is_file():
        _fail(f"{path}: no such file", EXIT_CONFIG)
    try:
        table = load_routes(path, known_plugins=installed() if plugins else None)
    except ConfigurationError as exc:
        _fail(str(exc), EXIT_CONFIG)
    click.echo(f"{path}: ok ({len(table.routes)} routes, {len(table.connectors)} connectors, "
               f"{len(table.policies)} retry policies)")
    if verbose:
        _print_schedules(table)


def _print_schedules(table: Any) -> None:
    from hub.retry import describe

    for name, policy in table.policies.items():
        users = [r.name for r in table.routes if r.retry == name]
        used = ", ".join(users) if len(users) <= 5 else f"{len(users)} routes"
        click.echo(f"\nretry policy {name} (used by {used or 'no route'}):")
        click.echo("\n".join(describe(policy)))


from hub.cli_explain import routes_explain as _routes_explain  # noqa: E402 - after routes

routes.add_command(_routes_explain)


@main.command()
@click.argument("file", type=click.File("rb"))
@click.option("--broker", "broker_url", help="embedded://FILE or amqp://...")
@click.option("--namespace", help="exchange/queue prefix (GRIDHUB_NAMESPACE)")
@click.pass_context
def send(ctx: click.Context, file: Any, broker_url: str | None, namespace: str | None) -> None:
    """Publish canonical message(s) from FILE (a JSON object, a JSON list, or JSON lines; - for
    stdin) to the hub. Every message is validated first; nothing is sent if one is invalid."""
    from hub import codec
    from hub.app import InboundPublisher
    from hub.errors import InvalidMessage
    from hub.publisher import LockedPublisher
    from hub.topology import topology_for
    from hub.transports import connection_for

    settings = _settings(ctx, broker_url=broker_url, namespace=namespace)
    raw = file.read()
    try:
        envelopes = [codec.decode(json.dumps(doc)) for doc in _documents(raw)]
    except (InvalidMessage, ValueError) as exc:
        _fail(f"{getattr(file, 'name', '-')}: {exc}", EXIT_INPUT)
    topology = topology_for(settings.namespace, settings.broker_url,
                            replicas=settings.broker_replicas)
    with connection_for(settings.broker_url) as conn:
        topology.declare(conn, [])
    locked = LockedPublisher(lambda: connection_for(settings.broker_url))
    InboundPublisher(locked, topology).publish(envelopes)
    locked.close()
    click.echo(f"sent {len(envelopes)} message(s) to {topology.hub_queue().name}")


def _documents(raw: bytes) -> list[Any]:
    """A JSON object, a JSON list of objects, or JSON lines."""
    text = raw.decode("utf-8").strip()
    if not text:
        raise ValueError("file is empty")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        lines = [line for line in text.splitlines() if line.strip()]
        out = []
        for number, line in enumerate(lines, 1):
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"line {number}: not JSON: {exc.msg}") from exc
        return out
    return doc if isinstance(doc, list) else [doc]


@main.command()
@click.argument("args", nargs=-1, metavar="[CONNECTOR] FILE")
@click.option("--to-wire", is_flag=True, help="read canonical JSON, print the wire document")
@click.option("--routes", "routes_file", type=click.Path(path_type=Path, dir_okay=False),
              help="use the connector's settings (its mapping and contract) from this file")
@click.option("--connector", "name", help="the connector's name in the --routes file")
@click.option("--out-dir", type=click.Path(path_type=Path, file_okay=False),
              help="with --to-wire: write each wire document to a file of its own here")
def translate(args: tuple[str, ...], to_wire: bool, routes_file: Path | None,
              name: str | None, out_dir: Path | None) -> None:
    """Translate a connector's wire document in FILE to canonical JSON (or back with --to-wire).

    `gridhub translate kis FILE` uses the packaged mapping; `gridhub translate --routes
    routes.yaml --connector kis FILE` exactly what the running hub would (the mapping: and xsd:
    settings of that connector). Use it to develop a mapping against your vendor's real
    documents. Exit 4 with the element or field at fault when the input is invalid, 3 for a
    bad routes file or connector. With --to-wire, one message gives its document as it is;
    several give a JSON list of documents (one string each), or with --out-dir a file each
    (named by position and message id), never documents run together.
    """
    from hub import codec
    from hub.errors import ConfigurationError, InvalidMessage

    if routes_file is not None and name is not None and len(args) == 1:
        path = args[0]
    elif routes_file is None and name is None and len(args) == 2:
        name, path = args
    else:
        raise click.UsageError("give CONNECTOR FILE, or --routes FILE --connector NAME FILE")
    try:
        translator = _translator(name, routes_file)
    except ConfigurationError as exc:
        _fail(str(exc), EXIT_CONFIG)
    with click.open_file(path, "rb") as file:
        data = file.read()
    try:
        if to_wire:
            messages = [codec.decode(json.dumps(doc)) for doc in _documents(data)]
            outputs = [translator.translate_out(m) for m in messages]
            texts = [o.decode("utf-8") if isinstance(o, bytes) else o for o in outputs]
            if out_dir is not None:
                out_dir.mkdir(parents=True, exist_ok=True)
                for i, (message, text) in enumerate(zip(messages, texts, strict=True), 1):
                    target = out_dir / f"{i:04d}-{message.message_id}.{_suffix(text)}"
                    target.write_text(text, encoding="utf-8")
                    click.echo(str(target))
            elif len(texts) == 1:
                click.echo(texts[0])
            else:
                click.echo(json.dumps(texts, indent=2, ensure_ascii=False))
        else:
            messages = translator.translate_in(data)
            click.echo(json.dumps([m.model_dump(mode="json") for m in messages],
                                  indent=2, ensure_ascii=False))
    except (InvalidMessage, ValueError) as exc:
        _fail(f"{path}: {exc}", EXIT_INPUT)
    except NotImplementedError as exc:
        _fail(str(exc), EXIT_INPUT)


def _translator(name: str, routes_file: Path | None) -> Any:
    """The connector as `gridhub run` would build it from ``routes_file`` (no I/O is started),
    or the plugin class with its packaged mapping."""
    from hub.connector import NoInbound
    from hub.errors import ConfigurationError
    from hub.plugins import installed, load
    from hub.routes import load_routes

    if routes_file is None:
        cls = load(name)

        class Packaged:
            translate_in = staticmethod(cls.to_canonical)
            translate_out = staticmethod(cls.to_wire)

        return Packaged()
    table = load_routes(routes_file, known_plugins=installed())
    spec = table.connectors.get(name)
    if spec is None:
        raise ConfigurationError(f"no connector {name!r} (declared: "
                                 f"{', '.join(sorted(table.connectors))})",
                                 where=f"{routes_file}: connectors")
    return load(spec.plugin)(spec.settings, NoInbound("gridhub translate"))


def _suffix(text: str) -> str:
    head = text.lstrip()[:1]
    return "xml" if head == "<" else "json" if head in "{[" else "txt"


@main.command("dev-cert")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False),
              default=Path("var/dev-cert"), show_default=True)
def dev_cert(out: Path) -> None:
    """Create a self-signed certificate and key (cert.pem, key.pem) for signing what gridhub
    sends to the Elhub simulator. Kept if they exist. Development only."""
    from hub.devcert import write_dev_certificate

    cert, key = write_dev_certificate(out)
    click.echo(f"certificate: {cert}\nprivate key: {key}")


@main.group()
def schemas() -> None:
    """The published JSON Schemas of the canonical model."""


@schemas.command("export")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False),
              default=Path("schemas/json"), show_default=True)
@click.option("--check", is_flag=True, help="exit 1 if the files on disk are stale")
def schemas_export(out: Path, check: bool) -> None:
    """Write the JSON Schemas generated from the pydantic models."""
    from schemas import export

    if check:
        stale = export.stale(out)
        if stale:
            _fail("stale JSON Schemas: " + ", ".join(stale) + " (run: gridhub schemas export)",
                  EXIT_RUNTIME)
        click.echo(f"{out}: up to date")
        return
    written = export.write(out)
    click.echo(f"wrote {len(written)} schema file(s) to {out}")


from hub.ops.cli import register as _register_ops  # noqa: E402 - after main is defined

_register_ops(main)

from hub.simulate_cli import simulate as _simulate  # noqa: E402 - after main is defined

main.add_command(_simulate)

from hub.demo.cli import register as _register_demo  # noqa: E402 - after main is defined

_register_demo(main)

from hub.access.cli import register as _register_access  # noqa: E402 - after main is defined

_register_access(main)

from hub.web.cli import register as _register_web  # noqa: E402 - after main is defined

_register_web(main)

from hub.ops.cli_db import register as _register_db  # noqa: E402 - after main is defined

_register_db(main)

if __name__ == "__main__":
    main()
