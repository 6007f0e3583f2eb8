"""webhook: POST each canonical message as JSON to a URL.

The simplest connector, for a target that takes gridhub's canonical JSON as it is (a grid
owner's own middleware, an audit sink). It shows the connector contract in full: an injected
transport (``urllib``), settings from routes.yaml, driver errors converted to gridhub's at the
edge with the remote fault kept, and the message id sent as ``Idempotency-Key`` so the target
can drop the duplicates that at-least-once delivery may bring.
"""

from __future__ import annotations

from connectors.webhook.connector import WebhookConnector

__all__ = ["WebhookConnector"]
