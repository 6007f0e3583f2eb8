"""ediel: the Swedish market side over Ediel (UN/EDIFACT, Swedish guides).

Outbound: metered values as UTILTS E66 (daily series in Swedish normal time, monthly readings)
and the grid owner's PRODAT answers (Z04, Z05) by SMTP. Inbound: PRODAT from suppliers (start
and end of supply) from the directory a communication gateway fills, each interchange stored
before it is answered with CONTRL and APERAK. Codes the reference is unsure of: codes.yaml.
"""

from __future__ import annotations

from connectors.ediel.connector import EdielConnector

__all__ = ["EdielConnector"]
