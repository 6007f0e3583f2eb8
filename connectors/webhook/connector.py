"""The webhook connector: each message sent as JSON to one url, a generic HTTP/JSON target.

Through the toolkit's HttpClient: time-outs, a size cap on the answer, no redirects (a 3xx is
a permanent failure naming the Location, our credentials stay home), the toolkit's
``idempotency_key(message)`` as the Idempotency-Key (a replay's fresh one), and every failure
classified there. With a ``mapping`` the body is the target's own JSON
(:mod:`connectors.webhook.body`); without, the canonical envelope.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import Field, model_validator

from connectors.webhook.body import Body, load_body_mapping
from hub.toolkit import (
    Connector,
    HttpSettings,
    HttpUrl,
    Inbound,
    OptionalPath,
    OptionalText,
    Secret,
    idempotency_key,
)
from schemas.envelope import Envelope

_HEADER = re.compile(r"[A-Za-z0-9-]{1,64}")
# Headers the connector sets itself, or that carry credentials (those go in token/api_key).
_RESERVED = frozenset({"authorization", "content-type", "content-length", "idempotency-key",
                       "host", "cookie", "proxy-authorization"})


class WebhookSettings(HttpSettings):
    """routes.yaml ``connectors.<name>.settings``; secrets as ${ENV}.

    Auth: ``token`` (Bearer), ``username``/``password`` (Basic), or ``api_key`` sent in the
    header ``api_key_header``. ``headers``: fixed, non-secret extra headers.
    """

    WHERE: ClassVar[str] = "connectors.webhook.settings"
    url: HttpUrl
    method: Literal["POST", "PUT", "PATCH"] = "POST"
    mapping: OptionalPath = None  # the body mapping; none: the canonical envelope as it is
    api_key_header: OptionalText = None
    api_key: OptionalText = Secret
    headers: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> WebhookSettings:
        self.require((self.api_key is None) == (self.api_key_header is None),
                     "api_key and api_key_header go together", "api_key_header")
        for name in [*self.headers, *([self.api_key_header] if self.api_key_header else [])]:
            self.require(bool(_HEADER.fullmatch(name)), f"{name!r} is not a header name",
                         "headers")
            self.require(name.lower() not in _RESERVED, f"{name} is set by the connector or "
                         "carries credentials: use token, username/password or api_key",
                         "headers")
        for name, value in self.headers.items():
            self.require(value.isprintable(), f"the value of {name} must be one line of "
                         "printable text", f"headers.{name}")
        return self


class WebhookConnector(Connector):
    name = "webhook"

    def __init__(self, settings: Mapping[str, Any], inbound: Inbound) -> None:
        super().__init__(settings, inbound)
        self.config = config = WebhookSettings.parse(self.settings)
        mapping = load_body_mapping(Path(config.mapping)) if config.mapping else None
        self.body = Body(mapping)
        self.client = config.http_client(config.url, target="the webhook target")
        self.headers = dict(config.headers)
        if config.api_key_header and config.api_key:
            self.headers[config.api_key_header] = config.api_key

    def deliver(self, message: Envelope) -> Sequence[Envelope]:
        path, body = self.body.build(message)
        self.client.request(self.config.method, path, body=body,
                            idempotency_key=idempotency_key(message),
                            headers={**self.headers, "Content-Type": "application/json",
                                     "X-Gridhub-Case-Id": message.case_id,
                                     "X-Gridhub-Type": message.type})
        return []

    def translate_out(self, message: Envelope) -> bytes:
        """The body this connector would send for ``message`` (for `gridhub translate`)."""
        return self.body.build(message)[1]

    def reachable(self) -> bool:
        return self.client.reachable()
