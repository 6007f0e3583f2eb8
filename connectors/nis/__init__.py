"""nis: the network information system (Netbas-like), XML over HTTP.

Connection-point data for a facility or an address (request/reply through the hub) and the
registration of new installations. Contract: schemas/contracts/nis/nis.xsd; mapping:
connectors/nis/mapping.yaml.
"""

from __future__ import annotations

from connectors.nis.connector import NisConnector

__all__ = ["NisConnector"]
