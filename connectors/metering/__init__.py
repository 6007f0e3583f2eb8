"""metering: the metering coordinator (Embriq Quant / Kamstrup Blå Coordinator-like).

Work orders for AMS meter jobs (seed 003) go out as JSON over HTTP; the coordinator's
lifecycle events and 15-minute metering values come back as AMQP events on its own RabbitMQ,
consumed with pika. Contract: ``schemas/contracts/metering/``; mapping: ``mapping.yaml``.
"""

from __future__ import annotations

from connectors.metering.connector import MeteringConnector

__all__ = ["MeteringConnector"]
