"""elhub: the market datahub (Elhub-style, Norway).

Outbound: metering-point master data (``meteringpoint.updated``: new, activation, meter change,
deactivation) and 15-minute metering values (``meteringvalues.collected``) as EMIF documents
over SOAP 1.1, signed with WS-Security. Inbound: the datahub's queues, pulled by PollForData
and acknowledged with AcknowledgePoll. Contract: ``schemas/contracts/elhub/``; mapping:
``mapping.yaml``.
"""

from __future__ import annotations

from connectors.elhub.connector import ElhubConnector

__all__ = ["ElhubConnector"]
