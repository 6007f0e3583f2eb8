"""Finding connector plugins through the ``gridhub.connectors`` entry point group."""

from __future__ import annotations

from importlib.metadata import entry_points

from hub.connector import Connector
from hub.errors import ConfigurationError

GROUP = "gridhub.connectors"


def installed() -> set[str]:
    """Names of the installed connector plugins (does not import them)."""
    return {ep.name for ep in entry_points(group=GROUP)}


def load(name: str) -> type[Connector]:
    """Import one plugin's class by entry point name."""
    for ep in entry_points(group=GROUP, name=name):
        try:
            cls = ep.load()
        except ImportError as exc:
            raise ConfigurationError(f"connector plugin {name!r} ({ep.value}) cannot be imported: "
                                     f"{exc}", where=f"plugin {name!r}") from exc
        if not (isinstance(cls, type) and issubclass(cls, Connector)):
            raise ConfigurationError(f"entry point {ep.value} is not a Connector class",
                                     where=f"plugin {name!r}")
        return cls
    raise ConfigurationError(
        f"no connector plugin {name!r} is installed (installed: "
        f"{', '.join(sorted(installed())) or 'none'})", where=f"plugin {name!r}")
