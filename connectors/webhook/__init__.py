"""webhook: each canonical message as JSON to a URL, the generic HTTP/JSON target.

For a target that takes gridhub's canonical JSON as it is (a grid owner's own middleware, an
audit sink), or, with a body mapping (``mapping:``, :mod:`connectors.webhook.body`), its own
JSON: a GIS, a data warehouse (docs/extending.md walks through one). It sends through the
toolkit's HttpClient (settings from routes.yaml, failures classified at the edge with the
remote fault kept) with the message's ``Idempotency-Key`` (its id; a replay's fresh one), so
the target can drop the duplicates that at-least-once delivery may bring.
"""

from __future__ import annotations

from connectors.webhook.connector import WebhookConnector

__all__ = ["WebhookConnector"]
