"""Alembic migrations of the store: ``env.py``, ``script.py.mako`` and one file per schema change
under ``versions/``. Run them with ``gridhub db upgrade``; make a new one with
``gridhub db revision -m "what changes"`` (README, "Operating gridhub").

:func:`all_tables` is the one metadata of every table, as the code defines it today: what
autogenerate compares a migrated store with, and what the migration test holds the migrations to.
"""

from __future__ import annotations

import importlib
import pkgutil
from importlib.metadata import entry_points

import sqlalchemy as sa

# Modules outside hub/store that define tables on ``hub.store.tables.metadata`` (every module
# of hub/store is imported anyway). By name, here only: the store stays below ``hub.ops`` and
# ``hub.access`` at run time. A new such module is added to this list.
TABLE_MODULES = (
    "hub.ops.audit",
    "hub.ops.pause",
    "hub.access.tables",
)
# A plugin (connector) with tables of its own names the module that defines them here, in its
# pyproject.toml: [project.entry-points."gridhub.tables"] elhub = "connectors.elhub.tables".
TABLE_PLUGINS = "gridhub.tables"


def all_tables() -> sa.MetaData:
    """The store's metadata with every table of the hub and of the installed plugins on it."""
    import hub.store

    for module in pkgutil.iter_modules(hub.store.__path__, "hub.store."):
        importlib.import_module(module.name)
    for name in TABLE_MODULES:
        importlib.import_module(name)
    for entry in entry_points(group=TABLE_PLUGINS):
        entry.load()
    from hub.store.tables import metadata

    return metadata
