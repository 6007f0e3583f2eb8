"""``gridhub metering completeness``: metering points without values accepted in time."""

from __future__ import annotations

from datetime import date
from typing import Any

import click

from hub.ops.cli_support import cli_store, guard, json_out, load_settings


@click.group()
def metering() -> None:
    """Metering values at the datahub: complete and on time."""


@metering.command("completeness")
@click.option("--day", "day", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="the day the values are for (YYYY-MM-DD); default: the latest day whose "
                   "deadline (07:00 Europe/Oslo the next day) has passed")
@click.option("--window", default=7, show_default=True, type=click.IntRange(1, 366),
              help="days back in which a metering point delivered values counts as expected")
@click.option("--route", default=None, help="only this route (default: every deadline route)")
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
@click.pass_context
@guard
def completeness_cmd(ctx: click.Context, day: Any, window: int, route: str | None,
                     as_json: bool) -> None:
    """List the metering points without values for DAY accepted by the datahub by its
    deadline (07:00 Europe/Oslo on DAY+1): missing, still retrying (at risk when the next
    attempt is after the deadline), dead-lettered, overdue or accepted late.

    Exit 0 when every expected metering point was accepted in time, 1 when not."""
    from hub.ops.completeness import completeness, last_closed_day
    from hub.ops.db import reading

    wanted: date = day.date() if day is not None else last_closed_day()
    settings = load_settings(ctx)
    with cli_store(settings) as store, reading(store) as conn:
        found = completeness(conn, wanted, window=window, route=route)
    if as_json:
        json_out(found)
    else:
        click.echo(_text(found))
    ctx.exit(0 if found.complete else 1)


def _text(found: Any) -> str:
    due = found.due.isoformat() if found.due else "no values routed for the day"
    lines = [f"metering values for {found.day.isoformat()} (due {due}): "
             f"{found.on_time} of {found.expected} metering points accepted in time"]
    if found.points:
        width = max(len(p.status) for p in found.points)
        lines += [f"  {p.metering_point}  {p.status:<{width}}  {p.detail}" for p in found.points]
    return "\n".join(lines)
