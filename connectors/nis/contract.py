"""The published NIS contract (schemas/contracts/nis)."""

from __future__ import annotations

from pathlib import Path

import schemas.contracts.nis as _contract_package
from hub.toolkit import XsdContract

CONTRACT_DIR = Path(_contract_package.__file__).parent
XSD_PATH = CONTRACT_DIR / "nis.xsd"

__all__ = ["CONTRACT_DIR", "XSD_PATH", "XsdContract"]
