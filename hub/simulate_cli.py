"""``gridhub simulate NAME``: run one back-end simulator, configured by flags.

Each flag goes to the simulators that take it (the keyword of their constructor); a flag
given to a simulator that does not take it is a usage error naming the ones that do. Secrets
may come from the environment variable each flag names in --help, never from anywhere else.
"""

from __future__ import annotations

import contextlib
import inspect
import signal
import sys
import threading
from pathlib import Path
from typing import Any

import click

from hub.simulator import FailureMode

# flag name -> the simulator constructor's keyword it sets
_KEYWORDS = {
    "password": "password",
    "gridhub_url": "gridhub_url",
    "gridhub_user": "gridhub_username",
    "gridhub_password": "gridhub_password",
    "amqp_url": "amqp_url",
    "exchange": "exchange",
    "step": "step_interval",
    "trusted_cert": "trusted_certificate",
    "certificate": "certificate",
    "private_key": "private_key",
}


@click.command()
@click.argument("name")
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              help="port to listen on; default: the simulator's own (elsmart 8101, kis 8102, "
                   "nis 8103, metering 8104, elhub 8105, notify 8025, ediel 8026), where the "
                   "shipped routes.yaml points; 0 picks a free one")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--state-dir", type=click.Path(path_type=Path, file_okay=False),
              help="keep the simulator's state here between runs")
@click.option("--fail", "failure", default="none",
              type=click.Choice([*(m.value for m in FailureMode), "no-answer", "syntax-error"]),
              help="start failing in this way (no-answer and syntax-error: the ediel "
                   "simulator's own)")
@click.option("--password", envvar="GRIDHUB_SIM_PASSWORD", show_envvar=True,
              help="[kis, nis, elsmart, notify] the password gridhub must present "
                   "(kis/nis default: simulator)")
@click.option("--gridhub-url", metavar="URL",
              help="[elsmart] where the portal sends its cases (gridhub's inbound SOAP "
                   "endpoint, e.g. http://127.0.0.1:8201/elsmart)")
@click.option("--gridhub-user", help="[elsmart] user name the portal presents to gridhub")
@click.option("--gridhub-password", envvar="GRIDHUB_SIM_GRIDHUB_PASSWORD", show_envvar=True,
              help="[elsmart] password the portal presents to gridhub")
@click.option("--amqp-url", metavar="URL", envvar="GRIDHUB_SIM_AMQP_URL", show_envvar=True,
              help="[metering] publish work-order and metering events to this RabbitMQ")
@click.option("--exchange", help="[metering] the events exchange (default: quant.events)")
@click.option("--step", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="[metering] move every work order one step on this often")
@click.option("--trusted-cert", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="[elhub] accept only WS-Security signatures by this PEM certificate "
                   "(default: any valid signature)")
@click.option("--certificate", type=click.Path(path_type=Path, dir_okay=False),
              help="[elhub] the PEM certificate the simulator signs its answers with (made, "
                   "with --private-key, at the first start when both are missing)")
@click.option("--private-key", type=click.Path(path_type=Path, dir_okay=False),
              help="[elhub] the PEM private key of --certificate")
@click.option("--routes", "routes_file", type=click.Path(path_type=Path, dir_okay=False),
              help="speak as connector NAME of this routes file expects (its own mapping and "
                   "contract: the mapping: and xsd: settings)")
def simulate(name: str, port: int | None, host: str, state_dir: Path | None, failure: str,
             routes_file: Path | None, **flags: Any) -> None:
    """Run the back-end simulator NAME (a real server) until Ctrl-C or SIGTERM."""
    from hub.errors import ConfigurationError
    from hub.simulator import load

    try:
        cls = load(name)
    except ConfigurationError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(3)
    options = simulator_options(name, cls, flags)
    if state_dir is not None:
        state_dir.mkdir(parents=True, exist_ok=True)
    sim = cls(host=host, port=cls.default_port if port is None else port, state_dir=state_dir,
              **options)
    if routes_file is not None:
        try:
            sim.use_settings(_connector_settings(name, routes_file))
        except ConfigurationError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(3)
    sim.fail(failure)
    sim.start()
    click.echo(f"{name} simulator listening on {sim.url} (failure mode: {failure}); Ctrl-C stops")
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    with contextlib.suppress(KeyboardInterrupt):
        done.wait()
    sim.stop()


def _connector_settings(name: str, routes_file: Path) -> Any:
    """The settings of connector ``name`` in ``routes_file``, as the running hub reads them."""
    from hub.errors import ConfigurationError
    from hub.routes import load_routes

    spec = load_routes(routes_file).connectors.get(name)
    if spec is None:
        raise ConfigurationError(f"no connector {name!r}", where=str(routes_file))
    return spec.settings


def simulator_options(name: str, cls: type, flags: dict[str, Any]) -> dict[str, Any]:
    """The constructor keywords of the flags given; a usage error for a flag ``cls`` lacks."""
    accepted = inspect.signature(cls).parameters
    options: dict[str, Any] = {}
    for flag, value in flags.items():
        if value is None:
            continue
        keyword = _KEYWORDS[flag]
        if keyword not in accepted:
            raise click.UsageError(f"--{flag.replace('_', '-')} does not apply to the {name} "
                                   "simulator (see the [names] in --help)")
        options[keyword] = value
    return options
