"""The webhook connector: each message POSTed as JSON to one url.

Through the toolkit's HttpClient: time-outs, a size cap on the answer, no redirects (a 3xx is
a permanent failure naming the Location, our credentials stay home), the message id as the
Idempotency-Key, and every failure classified there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from hub.toolkit import (
    Connector,
    HttpSettings,
    HttpUrl,
    Inbound,
    idempotency_key,
)
from schemas.envelope import Envelope


class WebhookSettings(HttpSettings):
    """routes.yaml ``connectors.<name>.settings``; secrets as ${ENV}."""

    WHERE: ClassVar[str] = "connectors.webhook.settings"
    url: HttpUrl


class WebhookConnector(Connector):
    name = "webhook"

    def __init__(self, settings: Mapping[str, Any], inbound: Inbound) -> None:
        super().__init__(settings, inbound)
        self.config = WebhookSettings.parse(self.settings)
        self.client = self.config.http_client(self.config.url, target="the webhook target")

    def deliver(self, message: Envelope) -> Sequence[Envelope]:
        self.client.post("", message.model_dump_json().encode(), content_type="application/json",
                         idempotency_key=idempotency_key(message),
                         headers={"X-Gridhub-Case-Id": message.case_id,
                                  "X-Gridhub-Type": message.type})
        return []

    def reachable(self) -> bool:
        return self.client.reachable()
