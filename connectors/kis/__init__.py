"""kis: the customer information and billing system (Elwin-like), SOAP 1.1.

Facility lookup ("Hämta anl-data") as request/reply through the hub, customer registration,
and quote/invoice events polled from KIS. Contract: schemas/contracts/kis (WSDL + XSD);
mapping: connectors/kis/mapping.yaml; the overwrite rule: connectors.kis.merge.merge_lookup.
"""

from __future__ import annotations

from connectors.kis.connector import KisConnector

__all__ = ["KisConnector"]
