"""metering settings (routes.yaml ``connectors.metering.settings``; secrets as ``${ENV}``).

    base_url: http://quant.example:8080     # the coordinator's REST API
    token: ${METERING_TOKEN}                # or username/password (HTTP Basic)
    timeout: 10                             # seconds, every HTTP call
    amqp_url: ${METERING_AMQP_URL}          # the coordinator's own RabbitMQ (optional)
    exchange: quant.events                  # where the coordinator publishes
    queue: gridhub.metering.events          # ours; <queue>.dead keeps the bad events
    routing_key: "#"
    prefetch: 50
    retry_pause: 2                          # seconds to wait when the hub's broker is away
    events: auto                            # amqp | http | auto (amqp when amqp_url is set)
    events_poll_interval: 5                 # seconds between feed reads (events: http)
    events_batch: 200                       # feed entries per read
    state_dir: var/metering                 # where the feed cursor is kept (else in memory:
                                            # a restart re-reads the feed; the hub drops
                                            # what it has seen)
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import model_validator

from hub.toolkit import (
    Count,
    HttpSettings,
    Interval,
    OptionalPath,
    OptionalText,
    OptionalUrl,
    Seconds,
    Secret,
    Text,
)


class MeteringSettings(HttpSettings):
    """The coordinator's REST API (base_url, token or Basic) and where its events come from."""

    WHERE: ClassVar[str] = "connectors.metering.settings"

    base_url: OptionalUrl = None
    amqp_url: OptionalText = Secret  # holds the broker password
    exchange: OptionalText = None
    queue: OptionalText = None
    routing_key: Text = "#"
    prefetch: Count = 50
    retry_pause: Seconds = 2.0
    events: Literal["auto", "amqp", "http"] = "auto"
    events_poll_interval: Interval = 5.0
    events_batch: Count = 200
    state_dir: OptionalPath = None

    @property
    def feed(self) -> bool:
        """Whether events come from the HTTP feed (else from AMQP, or not at all)."""
        return self.events == "http" or (self.events == "auto" and not self.amqp_url
                                         and self.base_url is not None)

    @model_validator(mode="after")
    def _consistent(self) -> MeteringSettings:
        self.require(not self.feed or self.base_url is not None,
                     "events: http needs base_url", "base_url")
        if self.amqp_url and not self.feed:
            for key in ("exchange", "queue"):
                self.require(bool(getattr(self, key)), f"{key} is required with amqp_url", key)
        return self
