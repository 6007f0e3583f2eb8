"""The NIS simulator's small grid: substations, service cables, and deterministic answers.

Facilities are the ones the KIS simulator and tests/factories.py know (Swedish seeds 0-24,
Norwegian 100-104; substation T114 + seed % 7). An address is fed from the substation of its
postcode area. The same facility or address always gets the same answer.

Physics kept simple and plausible: earth-fault loop impedance Zn = transformer loop impedance
+ 2 x conductor resistance x distance / parallel cables (mΩ); short-circuit current
Ik = 230 V / Zn (kA). A requested main fuse beyond what the cable or the transformer carries
is assessed as not connectable.
"""

from __future__ import annotations

import json
import os
import threading
import zlib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from schemas.identifier_samples import make_gsrn


@dataclass(frozen=True)
class Substation:
    name: str
    kva: int
    loop_mohm: Decimal  # transformer + busbar share of the fault loop
    laying: str  # MARK or LUFT
    postcodes: tuple[str, ...]  # the postcode prefixes it feeds

    @property
    def max_fuse_a(self) -> int:
        return int(self.kva * 1.44)  # rated current of a 400 V transformer


@dataclass(frozen=True)
class Cable:
    type: str
    count: int
    mm2: int
    mohm_per_m: Decimal  # per conductor, aluminium
    max_fuse_a: int


SUBSTATIONS = {s.name: s for s in (
    Substation("T114", 800, Decimal("8.0"), "MARK", ("2522", "2523")),
    Substation("T115", 500, Decimal("12.0"), "MARK", ("2524", "2525")),
    Substation("T116", 500, Decimal("12.5"), "MARK", ("2526",)),
    Substation("T117", 315, Decimal("18.0"), "MARK", ("2527",)),
    Substation("T118", 800, Decimal("7.5"), "MARK", ("461", "462")),
    Substation("T119", 200, Decimal("27.0"), "LUFT", ("2528", "463")),
    Substation("T120", 100, Decimal("52.0"), "LUFT", ("2529",)),
)}
CABLES = (
    Cable("N1XV 4G16", 1, 16, Decimal("1.91"), 50),
    Cable("N1XE 4G50", 1, 50, Decimal("0.641"), 100),
    Cable("N1XE 4X150", 1, 150, Decimal("0.206"), 250),
    Cable("N1XE 4X240", 2, 240, Decimal("0.125"), 630),
)
FUSE_SIZES = (16, 20, 25, 35, 50, 63, 80, 100, 125, 160, 200, 250, 315, 400, 500, 630)
DEFAULT_SUBSTATION = "T115"


def known_facilities() -> dict[str, dict[str, Any]]:
    """GSRN -> {substation, postcode, main_fuse_a}, as tests/factories.py builds them."""
    out: dict[str, dict[str, Any]] = {}
    for seed in range(25):
        out[make_gsrn(seed, "735999").reveal()] = {
            "substation": f"T{114 + seed % 7}", "meter_number": f"{7350000 + seed * 13}",
            "main_fuse_a": (16, 20, 25, 35)[seed % 4]}
    for seed in range(100, 105):
        out[make_gsrn(seed, "707057500").reveal()] = {
            "substation": "T118", "meter_number": f"{7350000 + seed * 13}",
            "main_fuse_a": 25}
    return out


def substation_for_postcode(postcode: str) -> Substation:
    code = postcode.replace(" ", "")
    for substation in SUBSTATIONS.values():
        if any(code.startswith(prefix) for prefix in substation.postcodes):
            return substation
    return SUBSTATIONS[DEFAULT_SUBSTATION]


def answer(key: str, substation: Substation, main_fuse_a: int | None) -> dict[str, Any]:
    """Grid data (canonical field names, wire codes) for the connection point ``key``."""
    fuse = main_fuse_a or 25
    cable = next((c for c in CABLES if c.max_fuse_a >= fuse), CABLES[-1])
    distance = Decimal(20 + zlib.crc32(key.encode()) % 380)
    zn = (substation.loop_mohm + 2 * cable.mohm_per_m * distance / cable.count).quantize(
        Decimal("0.1"))
    ik = (Decimal(230) / zn).quantize(Decimal("0.01"))
    connectable = fuse <= cable.max_fuse_a and fuse <= substation.max_fuse_a
    service_fuse = next((s for s in FUSE_SIZES if s >= fuse), FUSE_SIZES[-1])
    line_fuse = next((s for s in FUSE_SIZES if s > service_fuse), FUSE_SIZES[-1])
    data: dict[str, Any] = {
        "substation": substation.name, "laying": substation.laying,
        "earthing": "TN-C", "conductor": "Al", "phases": "3",
        "cable_type": cable.type, "cable_count": str(cable.count), "mm2": str(cable.mm2),
        "zn": str(zn), "ik": str(ik), "distance": str(distance),
        "service_fuse": ("Kabelskåp", f"3 x {service_fuse} A"),
        "line_fuse": (f"Nätstation {substation.name}", f"3 x {line_fuse} A"),
        "decision": "ANSLUTNINGSBAR" if connectable else "EJ_ANSLUTNINGSBAR",
    }
    if not connectable:
        data["info"] = (f"Huvudsäkring {fuse} A kräver nätförstärkning "
                        f"({substation.name} {substation.kva} kVA, {cable.type}).")
    return data


class NisState:
    """Registered installations (persisted as JSON when a path is given)."""

    def __init__(self, path: Path | None, *, fresh: bool = False) -> None:
        self.path = path
        self._lock = threading.Lock()
        self.facilities = known_facilities()
        self.installations: dict[str, dict[str, Any]] = {}
        if path is not None and path.exists() and not fresh:
            self.installations = json.loads(path.read_text(encoding="utf-8"))["installations"]

    def register(self, case_ref: str, facility_id: str, fields: dict[str, Any]
                 ) -> tuple[str, bool]:
        """(object id, newly registered). A facility is registered once."""
        with self._lock:
            existing = self.installations.get(facility_id)
            if existing is not None:
                return existing["object_id"], False
            object_id = f"NIS-{len(self.installations) + 1:06d}"
            self.installations[facility_id] = {"object_id": object_id, "case_ref": case_ref,
                                               **fields}
            self._save()
        return object_id, True

    def _save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"installations": self.installations}, indent=1),
                       encoding="utf-8")
        os.replace(tmp, self.path)
