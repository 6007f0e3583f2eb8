"""``gridhub web``: serve the ops dashboard on its own (``gridhub run`` can serve it too)."""

from __future__ import annotations

import click

from hub.ops.cli_support import fail, guard, load_settings, one_line


def register(main: click.Group) -> None:
    """Add ``gridhub web`` to the ``gridhub`` group."""
    main.add_command(web)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="address to listen on (put TLS in front of it for anything but loopback)")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@click.pass_context
@guard
def web(ctx: click.Context, host: str, port: int) -> None:
    """Serve the ops dashboard: health, failure groups, replay/discard, case trace, /metrics.

    Log in with a user of `gridhub users`; /healthz and /readyz need no login. Set
    web_secret (GRIDHUB_WEB_SECRET; required beyond loopback) to keep sessions across
    restarts; behind a TLS proxy set
    web_trusted_proxies. On the embedded broker replays need `gridhub run` stopped
    (the embedded broker serves one process); on RabbitMQ they work at any time.
    """
    import uvicorn

    from hub.access import Access
    from hub.ops.db import open_store
    from hub.web.app import create_app

    settings = load_settings(ctx)
    try:
        store = open_store(settings.store_url)
    except Exception as exc:  # unreachable database, bad URL: say which
        fail(f"store: {one_line(exc)}")
    try:
        access = Access(store)
        access.ensure_tables()
        app = create_app(settings, access=access, metrics=None, store=store, listen_host=host)
        click.echo(f"gridhub web on http://{host}:{port}/ (Ctrl-C stops)", err=True)
        # proxy_headers off: X-Forwarded-* is believed only from web_trusted_proxies (the app).
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False,
                    proxy_headers=False, log_config=None)
    finally:
        store.close()
