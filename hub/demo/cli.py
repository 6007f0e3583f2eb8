"""``gridhub demo``: the whole hub with every back end simulated, one command, no config."""

from __future__ import annotations

import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import click

DEFAULT_CASES = 200


@click.command()
@click.option("--cases", default=DEFAULT_CASES, show_default=True, type=click.IntRange(1, 5000),
              help="how many installer cases to play")
@click.option("--broker", "broker_url", help="amqp://... to run on RabbitMQ (default: the "
              "embedded broker, nothing to install)")
@click.option("--store", "store_url", help="postgresql+psycopg://... (default: SQLite in the "
              "run's directory)")
@click.option("--seed", default=1, show_default=True, type=int, help="the mix of cases")
@click.option("--keep", type=click.Path(path_type=Path, file_okay=False),
              help="keep the run's store, broker file, simulator state and log in DIR")
@click.option("--outage", default=8.0, show_default=True, type=click.FloatRange(0),
              help="seconds kis is down early in the run, about ten simulated days (0: no "
              "outage)")
@click.option("--weeks", default=6, show_default=True, type=click.IntRange(1, 12),
              help="simulated weeks of a grid owner's work with metering values, starting "
              "today (the run goes on while cases still move)")
@click.option("--pace", default=1.0, show_default=True, type=click.FloatRange(0.01, 60),
              help="real seconds per simulated day")
@click.option("--drain", "drain_limit", default=60.0, show_default=True,
              type=click.FloatRange(0), help="seconds to wait, after the cases settled, for "
              "the last messages to reach their targets")
def demo(cases: int, broker_url: str | None, store_url: str | None, seed: int,
         keep: Path | None, outage: float, weeks: int, pace: float,
         drain_limit: float) -> None:
    """Run gridhub with every back end simulated and a realistic mix of cases.

    Weeks of a grid owner's work on a simulated clock (one day per ``--pace`` seconds):
    Swedish and Norwegian grid owners, every installation type, days to weeks between an
    approval and the completion, rejections and resubmissions, cancellations, smart-meter
    rebuilds, metering values every day for every new metering point, a few poison
    messages, and KIS down for a while. Ends with cases per status, messages per system,
    retries, dead letters by cause and the slowest case's timeline. Before the summary it
    waits for the last messages to reach their targets, and shows per target what was
    delivered, dead-lettered or is still pending (and why). Exits 1 if a case was lost or
    a message is still pending
    with no reason known.
    """
    from hub.demo.run import logs_to, run_demo
    from hub.demo.scenario import Options
    from hub.demo.summary import render

    workdir = keep or Path(tempfile.mkdtemp(prefix="gridhub-demo-"))
    if keep is not None and keep.exists() and any(keep.iterdir()):
        raise click.UsageError(f"--keep {keep}: the directory must be new or empty")
    namespace = f"demo{secrets.token_hex(3)}" if broker_url else "gridhub"
    options = Options(outage_after=4.0 if outage > 0 else None, outage_for=outage,
                      window_days=weeks * 7, day_seconds=pace)
    click.echo(f"gridhub demo: {cases} cases on "
               f"{'RabbitMQ' if broker_url else 'the embedded broker'}; log in "
               f"{workdir / 'gridhub.log'}")
    try:
        with logs_to(workdir / "gridhub.log"), click.progressbar(
                length=cases, label="cases settled", show_pos=True) as bar:
            def progress(done: int, total: int) -> None:
                bar.length = max(total, 1)
                bar.update(done - bar.pos)

            summary = run_demo(workdir, cases=cases, seed=seed, broker_url=broker_url,
                               store_url=store_url, namespace=namespace, options=options,
                               progress=progress, drain_limit=drain_limit,
                               draining=_draining_line())
    finally:
        if keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    click.echo("")
    click.echo(render(summary))
    if not summary.ok:
        sys.exit(1)


def _draining_line() -> Callable[[int], None]:
    """Progress of the drain: one line each time the count of messages on their way changes
    (at most once a second), so a stuck drain shows, and a quick one stays quiet."""
    last: list[float] = [-1.0, 0.0]  # count shown, when

    def show(left: int) -> None:
        now = time.monotonic()
        if left != last[0] and (now - last[1] >= 1.0 or left == 0) and (left or last[0] > 0):
            click.echo(f"\ndraining: {left} message(s) on their way to their targets", nl=False)
            last[0], last[1] = left, now
    return show


def register(main: click.Group) -> None:
    """Add ``gridhub demo`` to the command group."""
    main.add_command(demo)
