"""elsmart settings (routes.yaml ``connectors.elsmart.settings``; secrets come as ${ENV}).

    url               the portal's SOAP endpoint (outbound); required to deliver
    username/password HTTP Basic towards the portal (optional)
    timeout           seconds or "500ms"/"10s"/"1m" per call (default 10s)
    listen_host       gridhub's inbound endpoint address (default 127.0.0.1)
    listen_port       port of the inbound endpoint; absent = no inbound endpoint, 0 = any
    inbound_username/inbound_password
                      the credentials the portal must present (required with listen_port)
    mapping, xsd, wsdl  a grid owner's own mapping and contract (default: the shipped ones)
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import model_validator

from connectors.elsmart.contract import WSDL, XSD
from connectors.elsmart.wire import MAPPING
from hub.toolkit import (
    HttpSettings,
    OptionalListenPort,
    OptionalText,
    OptionalUrl,
    Secret,
    Text,
)

WHERE = "connectors.elsmart.settings"


class ElsmartSettings(HttpSettings):
    WHERE: ClassVar[str] = WHERE

    url: OptionalUrl = None
    listen_host: Text = "127.0.0.1"
    listen_port: OptionalListenPort = None
    inbound_username: OptionalText = None
    inbound_password: OptionalText = Secret
    mapping: Path = MAPPING
    xsd: Path = XSD
    wsdl: Path = WSDL

    @model_validator(mode="after")
    def _inbound_needs_credentials(self) -> ElsmartSettings:
        self.require(self.listen_port is None
                     or bool(self.inbound_username and self.inbound_password),
                     "the inbound endpoint requires authentication: set inbound_username and "
                     "inbound_password (from ${ENV})", "inbound_password")
        return self
