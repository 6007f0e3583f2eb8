"""``gridhub db``: the store's schema version (upgrade, current, history, revision); and
``gridhub purge``: data retention by hand (the hub runs it by itself, hourly).

Exit codes as ``hub.ops.cli_support``; ``gridhub db current`` exits 1 when the schema is not
the one this gridhub needs, so a deploy script can run ``gridhub db current || gridhub db
upgrade`` (after its backup).
"""

from __future__ import annotations

from typing import Any

import click

from hub.ops.cli_support import actor, cli_store, fail, guard, load_settings


def register(main: click.Group) -> None:
    main.add_command(db)
    main.add_command(purge)


@click.command()
@click.option("--dry-run", is_flag=True, help="only count what would go, change nothing")
@click.option("--reason", default=None,
              help="for the audit (default: the retention setting that applies)")
@click.pass_context
@guard
def purge(ctx: click.Context, dry_run: bool, reason: str | None) -> None:
    """Apply the data retention now: erase the personal data of closed cases, delete old
    trace rows, settled dead letters and audit rows, as the retention_* settings say. Every
    batch is audited. The hub does this by itself; this is for a first run or a check."""
    from hub.retention import Retention

    settings = load_settings(ctx)
    with cli_store(settings) as store:
        retention = Retention.from_settings(store, settings)
        if dry_run:
            for due in retention.due():
                click.echo(f"{due.count:>9,}  {due.what}: before {due.cutoff:%Y-%m-%d %H:%M} "
                           f"UTC ({due.days:g} days)")
            click.echo("dry run: nothing changed")
            return
        done, _ = retention.purge(actor=actor(), reason=reason)
    for kind, count in done.items():
        click.echo(f"{count:>9,}  {kind}")
    click.echo("purged; each batch has its row in the audit log (ops_audit, action purge)")


@click.group()
def db() -> None:
    """The store's schema: upgrade it after installing a new gridhub, see where it is."""


@db.command()
@click.option("--to", "revision", default="head", show_default=True,
              help="the revision to migrate to")
@click.pass_context
@guard
def upgrade(ctx: click.Context, revision: str) -> None:
    """Migrate the store to this gridhub's schema. Take a backup first (README, "Operating
    gridhub"). A store made by gridhub 0.1.0 is checked table by table and adopted."""
    from hub.store import schema
    from hub.store.store import lock_schema

    with _engine(ctx) as (engine, where), engine.begin() as conn:
        lock_schema(conn)  # one upgrade at a time, and no hub starting half-way
        before = schema.status(conn)
        if before.state is schema.SchemaState.AHEAD:
            fail(f"store {where}: {schema.refusal(before)}")
        try:
            schema.upgrade(conn, revision)
        except RuntimeError as exc:  # the baseline's check of a 0.1.0 store
            fail(f"store {where}: {exc}")
        after = schema.status(conn)
    click.echo(f"store {where}: {_what_happened(before, after.current)}")


def _what_happened(before: Any, now: str | None) -> str:
    from hub.store.schema import SchemaState

    if before.state is SchemaState.UNVERSIONED:
        return f"made by gridhub 0.1.0: tables checked and adopted, now at revision {now}"
    if before.current == now:
        return f"already at revision {now}, nothing to do"
    return f"migrated from revision {before.current or '(empty)'} to {now}"


@db.command()
@click.pass_context
@guard
def current(ctx: click.Context) -> None:
    """Show the store's revision and the one this gridhub needs; exit 1 if they differ."""
    from hub.store import schema

    with _engine(ctx) as (engine, where), engine.connect() as conn:
        found = schema.status(conn)
    click.echo(f"store {where}: revision {found.current or '(none)'} ({found.state}); "
               f"this gridhub needs {found.head}")
    if found.state is not schema.SchemaState.CURRENT:
        fail(schema.refusal(found) if found.state is not schema.SchemaState.EMPTY
             else f"the store is empty: run `{schema.UPGRADE_COMMAND}` or start the hub")


@db.command()
@guard
def history() -> None:
    """List the migrations, oldest first; the last is the head this gridhub needs."""
    from hub.store import schema

    for revision, down, message in schema.history():
        click.echo(f"{revision}  {'(base)' if down is None else 'after ' + down}  {message}")


@db.command()
@click.option("-m", "--message", required=True, help="what the migration changes")
@click.option("--empty", is_flag=True, help="write an empty migration, no autogenerate")
@guard
def revision(message: str, empty: bool) -> None:
    """For developers, in a source checkout: write the next migration from the difference
    between the code's tables and the head's schema. Review it before committing."""
    from hub.store import schema

    path = schema.new_revision(message, autogenerate=not empty)
    click.echo(f"wrote {path}")


class _engine:
    """An engine on the configured store, without ``Store.open``'s check (it is what these
    commands look at), disposed at the end; ``where`` is the URL without its password."""

    def __init__(self, ctx: click.Context) -> None:
        self._url = load_settings(ctx).store_url

    def __enter__(self) -> tuple[Any, str]:
        from hub.store.engine import make_engine, safe_url

        self._engine = make_engine(self._url)
        return self._engine, safe_url(self._url)

    def __exit__(self, *_exc: object) -> None:
        self._engine.dispose()
