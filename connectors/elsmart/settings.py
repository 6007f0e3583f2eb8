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

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from connectors.elsmart.contract import WSDL, XSD
from connectors.elsmart.wire import MAPPING
from hub.errors import ConfigurationError
from hub.settings_fields import optional, seconds
from hub.settings_fields import port as port_number

WHERE = "connectors.elsmart.settings"
_KEYS = {"url", "username", "password", "timeout", "listen_host", "listen_port",
         "inbound_username", "inbound_password", "mapping", "xsd", "wsdl"}


@dataclass(frozen=True)
class ElsmartSettings:
    url: str | None = None
    username: str | None = None
    password: str | None = None
    timeout: float = 10.0
    listen_host: str = "127.0.0.1"
    listen_port: int | None = None
    inbound_username: str | None = None
    inbound_password: str | None = None
    mapping: Path = MAPPING
    xsd: Path = XSD
    wsdl: Path = WSDL

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> ElsmartSettings:
        unknown = sorted(set(raw) - _KEYS)
        if unknown:
            raise ConfigurationError(f"unknown setting(s) {', '.join(unknown)} (known: "
                                     f"{', '.join(sorted(_KEYS))})", where=WHERE)
        url = optional(raw, "url")
        if url is not None and urlsplit(url).scheme not in ("http", "https"):
            raise ConfigurationError(f"must be http(s)://..., got {url!r}", where=f"{WHERE}.url")
        port = raw.get("listen_port")
        settings = cls(
            url=url, username=optional(raw, "username"), password=optional(raw, "password"),
            timeout=seconds(raw.get("timeout", 10.0), f"{WHERE}.timeout"),
            listen_host=str(raw.get("listen_host") or "127.0.0.1"),
            listen_port=(port_number(port, f"{WHERE}.listen_port", allow_zero=True)
                         if port is not None and port != "" else None),
            inbound_username=optional(raw, "inbound_username"),
            inbound_password=optional(raw, "inbound_password"),
            mapping=Path(raw.get("mapping") or MAPPING), xsd=Path(raw.get("xsd") or XSD),
            wsdl=Path(raw.get("wsdl") or WSDL))
        if settings.listen_port is not None and not (settings.inbound_username
                                                     and settings.inbound_password):
            raise ConfigurationError("the inbound endpoint requires authentication: set "
                                     "inbound_username and inbound_password (from ${ENV})",
                                     where=f"{WHERE}.inbound_password")
        return settings
