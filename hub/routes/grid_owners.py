"""The ``grid_owners:`` section of routes.yaml: per grid owner, which market it reports to.

    grid_owners:
      "7070573217917":                 # the grid owner's GLN, as cases carry it
        name: Sørlandsnett AS
        country: "NO"
        market: elhub                  # NO: elhub (the datahub); SE: ediel (EDIFACT)
        grid_area: 50Y73EMZ34CQL9AJ    # metering grid area (NO: EIC) / nätområde (SE: 3 letters)
        parties: [{id: "7070573217917", role: DDM}]

A route reads it through the case: ``case.grid_owner.market``, ``case.grid_owner.grid_area``,
``case.grid_owner.market_party`` (the id of the party in the grid owner's own market role),
``case.grid_owner.language``; ``case.documentation`` is what the case's completion lacks of
the documentation the grid owner requires (:mod:`hub.routes.documentation`). The router
merges it into the case view only (the stored case
is the portal's); a case whose grid owner is not configured has no ``market``, so no route
that selects on it sends anything to a market.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from hub.routes.documentation import Required, documentation_view, parse_documentation
from hub.routes.source import Issues, child, item, known_keys

OWNER_KEYS = ("name", "country", "market", "grid_area", "language", "parties",
              "documentation")
PARTY_KEYS = ("id", "role")


class Market(StrEnum):
    elhub = "elhub"  # Norway: the central datahub (BRS-NO-121/122/302 ...)
    ediel = "ediel"  # Sweden: Ediel, PRODAT/UTILTS straight to the suppliers


MARKET_OF_COUNTRY = {"NO": Market.elhub, "SE": Market.ediel}
LANGUAGE_OF_COUNTRY = {"NO": "nb", "SE": "sv"}
GRID_AREA = {"NO": re.compile(r"[0-9A-Z-]{16}"), "SE": re.compile(r"[A-Z]{3}")}
GRID_AREA_SHAPE = {"NO": "a 16-character EIC code (e.g. 50Y73EMZ34CQL9AJ)",
                   "SE": "a three-letter nätområde id (e.g. HEL)"}
# The roles a grid owner takes in its market: Elhub's codes; Ediel uses the same letters.
OWN_ROLES = {Market.elhub: ("DDM", "MDR", "DDE"), Market.ediel: ("DDM", "MDR")}
_GLN = re.compile(r"[0-9]{13}")


@dataclass(frozen=True)
class GridOwnerConfig:
    gln: str
    name: str
    country: str
    market: Market
    grid_area: str
    language: str
    parties: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (id, role)
    documentation: Required = field(default_factory=dict)  # installation type -> kinds

    @property
    def market_party(self) -> str:
        """The id the grid owner sends market messages as (its DDM party; else its GLN)."""
        return next((pid for pid, role in self.parties if role == "DDM"), self.gln)

    def view(self) -> dict[str, Any]:
        """What ``case.grid_owner.*`` adds for routes."""
        return {"market": str(self.market), "grid_area": self.grid_area,
                "language": self.language, "market_party": self.market_party,
                "parties": [{"id": pid, "role": role} for pid, role in self.parties]}


def parse_grid_owners(raw: Any, issues: Issues) -> dict[str, GridOwnerConfig]:
    """The valid grid owners by GLN; every problem recorded with its key path."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        issues.add("grid_owners", "grid_owners is a mapping: GLN -> {name, country, market, "
                   "grid_area, parties}")
        return {}
    owners = {}
    for gln, spec in raw.items():
        path = child("grid_owners", str(gln))
        owner = _owner(str(gln), spec, path, issues)
        if owner is not None:
            owners[owner.gln] = owner
    return owners


def _owner(gln: str, spec: Any, path: str, issues: Issues) -> GridOwnerConfig | None:
    if not _GLN.fullmatch(gln):
        issues.add(path, f"a grid owner is keyed by its 13-digit GLN, not {gln!r} (quote it: "
                   "\"7070573217917\")")
        return None
    if not isinstance(spec, dict):
        issues.add(path, "a grid owner is a mapping: {name, country, market, grid_area}")
        return None
    known_keys(spec, path, OWNER_KEYS, issues)
    before = len(issues.errors)
    country = spec.get("country")
    if country not in MARKET_OF_COUNTRY:
        issues.add(child(path, "country"), f"country is SE or NO (quote NO), not {country!r}")
        return None
    market = spec.get("market")
    expected = MARKET_OF_COUNTRY[country]
    if market != expected:
        issues.add(child(path, "market"), f"a grid owner in {country} reports to {expected}, "
                   f"not {market!r}")
    area = spec.get("grid_area")
    if not isinstance(area, str) or not GRID_AREA[country].fullmatch(area):
        issues.add(child(path, "grid_area"), f"grid_area in {country} is "
                   f"{GRID_AREA_SHAPE[country]}, not {area!r}")
    name = spec.get("name")
    if not isinstance(name, str) or not name.strip():
        issues.add(child(path, "name"), "name is required: the grid owner's company name")
    language = spec.get("language", LANGUAGE_OF_COUNTRY[country])
    if language not in ("sv", "nb"):
        issues.add(child(path, "language"), f"language is sv or nb, not {language!r}")
    parties = _parties(spec.get("parties", []), child(path, "parties"), expected, issues)
    documentation = parse_documentation(spec.get("documentation"),
                                        child(path, "documentation"), issues)
    if len(issues.errors) != before:
        return None
    return GridOwnerConfig(gln=gln, name=str(name), country=country, market=expected,
                           grid_area=str(area), language=str(language), parties=parties,
                           documentation=documentation)


def _parties(raw: Any, path: str, market: Market, issues: Issues
             ) -> tuple[tuple[str, str], ...]:
    if not isinstance(raw, list):
        issues.add(path, "parties is a list of {id, role}")
        return ()
    roles = OWN_ROLES[market]
    found = []
    for index, party in enumerate(raw):
        at = item(path, index)
        if not isinstance(party, dict):
            issues.add(at, "a party is {id: GLN or Ediel id, role: DDM}")
            continue
        known_keys(party, at, PARTY_KEYS, issues)
        pid, role = party.get("id"), party.get("role")
        if not isinstance(pid, str) or not re.fullmatch(r"[0-9]{5,13}", pid):
            issues.add(child(at, "id"), f"id is the party's GLN or Ediel id (digits, quoted), "
                       f"not {pid!r}")
        elif role not in roles:
            issues.add(child(at, "role"), f"role in {market} is one of {', '.join(roles)}, "
                       f"not {role!r}")
        else:
            found.append((pid, str(role)))
    return tuple(found)


def with_grid_owner(case: Mapping[str, Any] | None, owners: dict[str, GridOwnerConfig]
                    ) -> Mapping[str, Any] | None:
    """``case`` with its grid owner's configuration merged into ``grid_owner`` (a copy)."""
    if case is None or not owners:
        return case
    owner = case.get("grid_owner")
    if not isinstance(owner, dict):
        return case
    config = owners.get(str(owner.get("gln")))
    if config is None:
        return case
    return {**case, "grid_owner": {**config.view(), **owner},
            "documentation": documentation_view(case, config.documentation, config.language)}
