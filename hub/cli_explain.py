"""`gridhub routes explain`: why a message goes where it goes (issue 18 item 3)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click


@click.command("explain")
@click.argument("message", type=click.File("rb"))
@click.option("--case", "case_id", metavar="ID",
              help="judge case. paths against case ID as it stands in the store")
@click.option("--case-file", type=click.File("rb"),
              help="judge case. paths against this case (JSON), to try a rule offline")
@click.option("--routes", "routes_file", type=click.Path(path_type=Path, dir_okay=False),
              help="routes file (default: the routes setting)")
@click.option("--store", "store_url", help="sqlite:///FILE or postgresql+psycopg://...")
@click.option("--all", "every_route", is_flag=True, help="also list the routes of other types")
@click.pass_context
def routes_explain(ctx: click.Context, message: Any, case_id: str | None, case_file: Any,
                   routes_file: Path | None, store_url: str | None, every_route: bool) -> None:
    """Why MESSAGE (canonical JSON, - for stdin) goes where it goes: every route, whether it
    applies, each condition's verdict and the value it saw. Without --case no case is read
    and every case. path is missing. Exit 3: bad routes file, 4: bad message."""
    from hub import codec
    from hub.cli import EXIT_CONFIG, EXIT_INPUT, EXIT_RUNTIME
    from hub.cli import _documents as documents
    from hub.cli import _fail as fail
    from hub.cli import _settings as settings_of
    from hub.errors import ConfigurationError, InvalidMessage
    from hub.routes import load_routes
    from hub.routes.explain import explain, render

    settings = settings_of(ctx, routes=routes_file, store_url=store_url)
    try:
        table = load_routes(settings.routes)
    except ConfigurationError as exc:
        fail(str(exc), EXIT_CONFIG)
    try:
        [env] = [codec.decode(json.dumps(doc)) for doc in documents(message.read())][:1]
    except (InvalidMessage, ValueError) as exc:
        fail(f"{getattr(message, 'name', '-')}: {exc}", EXIT_INPUT)
    if case_file is not None:
        try:
            view = json.loads(case_file.read())
        except ValueError as exc:
            fail(f"{case_file.name}: not JSON: {exc}", EXIT_INPUT)
        verdicts = explain(table, env, view if isinstance(view, dict) else None)
    elif case_id is None:
        verdicts = explain(table, env, None)
        click.echo("no case read (give --case ID): every case. path is missing")
    else:
        from hub.ops.cli_support import cli_store
        from hub.ops.explain import explain_for_case

        with cli_store(settings) as store:
            verdicts, found = explain_for_case(table, env, store, case_id)
        if not found:
            fail(f"no case {case_id!r} in the store", EXIT_RUNTIME)
    for line in render(verdicts, settings.routes.name, every_route=every_route):
        click.echo(line)
