"""The published KIS contract (schemas/contracts/kis)."""

from __future__ import annotations

from pathlib import Path

import schemas.contracts.kis as _contract_package
from hub.toolkit import XsdContract

CONTRACT_DIR = Path(_contract_package.__file__).parent
XSD_PATH = CONTRACT_DIR / "kis.xsd"
WSDL_PATH = CONTRACT_DIR / "kis.wsdl"

__all__ = ["CONTRACT_DIR", "WSDL_PATH", "XSD_PATH", "XsdContract"]
