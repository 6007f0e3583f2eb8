"""Grid owners on the Swedish market: their Ediel-ids and grid areas (from settings)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from hub.toolkit import ConfigurationError

_EDIEL_ID = re.compile(r"^\d{5}$")
_GRID_AREA = re.compile(r"^[A-Z]{3}$")
WHERE = "connectors.ediel.settings.grid_owners"


@dataclass(frozen=True)
class GridOwner:
    name: str
    ediel_id: str
    grid_areas: tuple[str, ...]


def grid_owners(raw: object) -> list[GridOwner]:
    """The configured grid owners; ConfigurationError naming the entry and the rule."""
    if not isinstance(raw, list) or not raw:
        raise ConfigurationError("give at least one grid owner: {name, ediel_id, grid_areas}",
                                 where=WHERE)
    found = []
    for i, entry in enumerate(raw):
        where = f"{WHERE}[{i}]"
        if not isinstance(entry, dict):
            raise ConfigurationError("each grid owner is a mapping", where=where)
        ediel_id = str(entry.get("ediel_id", ""))
        if not _EDIEL_ID.match(ediel_id):
            raise ConfigurationError(f"ediel_id is five digits (issued by Svenska kraftnät), "
                                     f"got {ediel_id!r}", where=f"{where}.ediel_id")
        areas = tuple(str(a) for a in entry.get("grid_areas") or [])
        bad = [a for a in areas if not _GRID_AREA.match(a)]
        if not areas or bad:
            raise ConfigurationError(f"grid_areas are three capital letters, at least one; "
                                     f"got {list(areas)}", where=f"{where}.grid_areas")
        found.append(GridOwner(str(entry.get("name") or ediel_id), ediel_id, areas))
    return found
