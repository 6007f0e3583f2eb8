"""Which migration a store's schema is at, and bringing it to the one this gridhub needs.

A store made by this gridhub or later carries Alembic's ``alembic_version`` row. An empty
database is migrated to the head when a store is opened (the first start just works); a store
whose schema is behind, or one made by gridhub 0.1.0 before migrations (tables but no
``alembic_version``), is left alone and refused, naming ``gridhub db upgrade``: an upgrade is
the operator's act, after a backup, not a side effect of a restart.
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from io import StringIO

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError

from hub.errors import ConfigurationError

MIGRATIONS = "hub.store:migrations"  # package resource: found installed and in a checkout
VERSION_TABLE = "alembic_version"
UPGRADE_COMMAND = "gridhub db upgrade"


class SchemaState(StrEnum):
    EMPTY = "empty"  # no table of gridhub's: a new store
    UNVERSIONED = "unversioned"  # made by gridhub 0.1.0 (create_all): adopted by an upgrade
    BEHIND = "behind"  # migrations to run
    CURRENT = "current"
    AHEAD = "ahead"  # written by a newer gridhub: this one does not know its revision


@dataclass(frozen=True)
class SchemaStatus:
    state: SchemaState
    current: str | None  # the store's revision (None: empty or unversioned)
    head: str  # the revision this gridhub needs


class SchemaOutOfDate(ConfigurationError):
    """The store's schema is not the one this gridhub runs on."""


def config(connection: sa.Connection | None = None, *, output: StringIO | None = None) -> Config:
    """Alembic's configuration for the store's migrations, on ``connection`` when given."""
    cfg = Config(stdout=output or StringIO())
    cfg.set_main_option("script_location", MIGRATIONS)
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@functools.cache
def scripts() -> ScriptDirectory:
    """The migration scripts (read once: they do not change while gridhub runs)."""
    return ScriptDirectory.from_config(config())


def head() -> str:
    heads = scripts().get_heads()
    if len(heads) != 1:  # two branches each added a migration: a merge revision is missing
        raise ConfigurationError(
            f"{len(heads)} heads {sorted(heads)}: renumber the later migration onto the other, "
            "see README 'Operating gridhub'", where="hub/store/migrations")
    return heads[0]


def status(conn: sa.Connection) -> SchemaStatus:
    """Where the schema on ``conn`` stands."""
    target = head()
    current = MigrationContext.configure(conn).get_current_revision()
    if current is None:
        names = set(sa.inspect(conn).get_table_names()) - {VERSION_TABLE}
        state = SchemaState.UNVERSIONED if names else SchemaState.EMPTY
    elif current == target:
        state = SchemaState.CURRENT
    elif _known(current):
        state = SchemaState.BEHIND
    else:
        state = SchemaState.AHEAD
    return SchemaStatus(state, current, target)


def _known(revision: str) -> bool:
    try:
        return scripts().get_revision(revision) is not None
    except CommandError:  # "Can't locate revision identified by ..."
        return False


def upgrade(conn: sa.Connection, revision: str = "head") -> None:
    """Run the migrations up to ``revision`` in the caller's transaction."""
    command.upgrade(config(conn), revision)


def prepare(conn: sa.Connection) -> SchemaStatus:
    """At opening: migrate an empty store; refuse any schema but the current one."""
    found = status(conn)
    if found.state is SchemaState.EMPTY:
        upgrade(conn)
        return SchemaStatus(SchemaState.CURRENT, found.head, found.head)
    if found.state is not SchemaState.CURRENT:
        raise SchemaOutOfDate(refusal(found), where="store")
    return found


def require_current(conn: sa.Connection) -> None:
    """Refuse a store whose schema changed under an open ``Store`` (another process upgraded
    or downgraded it): the tables this gridhub writes may no longer be the ones it knows."""
    found = status(conn)
    if found.state is not SchemaState.CURRENT:
        raise SchemaOutOfDate(refusal(found), where="store")


def refusal(found: SchemaStatus) -> str:
    """Why a store is refused, and what to run."""
    if found.state is SchemaState.AHEAD:
        return (f"the schema is at revision {found.current}, which this gridhub does not know: "
                "a newer gridhub migrated it. Run that version (or restore the backup taken "
                "before its upgrade)")
    if found.state is SchemaState.UNVERSIONED:
        return ("the store was made by gridhub 0.1.0 and has no schema version yet. Take a "
                f"backup, then run `{UPGRADE_COMMAND}`: it checks the tables and adopts them")
    return (f"the schema is at revision {found.current}, this gridhub needs {found.head}. "
            f"Take a backup, then run `{UPGRADE_COMMAND}`")


def history() -> list[tuple[str, str | None, str]]:
    """Every migration, oldest first: (revision, the one before it, its message)."""
    revisions = list(scripts().walk_revisions())
    revisions.reverse()
    return [(r.revision, _down(r.down_revision), (r.doc or "").splitlines()[0])
            for r in revisions]


def _down(down: str | Sequence[str] | None) -> str | None:
    return down if down is None or isinstance(down, str) else ", ".join(down)


def _ruff_hooks(cfg: Config) -> None:
    """Sort the imports and format the new file, as alembic's post-write hooks."""
    hooks = {"fix": "check --fix --select I REVISION_SCRIPT_FILENAME",
             "format": "format REVISION_SCRIPT_FILENAME"}
    cfg.set_section_option("post_write_hooks", "hooks", ", ".join(hooks))
    for name, options in hooks.items():
        for key, value in (("type", "module"), ("module", "ruff"), ("options", options)):
            cfg.set_section_option("post_write_hooks", f"{name}.{key}", value)


def new_revision(message: str, *, autogenerate: bool = True) -> str:
    """Write the next migration file (for developers, in a source checkout) and return its
    path. Autogenerate compares the code's tables with a scratch SQLite database migrated to
    the head, so no real store is needed; review the file, PostgreSQL included."""
    from alembic.script import Script

    from hub.store.engine import make_engine

    number = max((int(r) for r, _, _ in history() if r.isdigit()), default=0) + 1
    engine = make_engine("sqlite://")
    try:
        with engine.begin() as conn:
            upgrade(conn)
            cfg = config(conn)
            if importlib.util.find_spec("ruff") is not None:  # a developer's checkout has it
                # autogenerate writes long lines: formatted, the file passes `ruff check`
                _ruff_hooks(cfg)
            script = command.revision(cfg, message=message, autogenerate=autogenerate,
                                      rev_id=f"{number:04d}")
    finally:
        engine.dispose()
    scripts.cache_clear()
    assert isinstance(script, Script)  # one revision asked for, one made
    return str(script.path)
