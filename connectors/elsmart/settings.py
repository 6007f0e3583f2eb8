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

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from connectors.elsmart.contract import WSDL, XSD
from connectors.elsmart.wire import MAPPING
from hub.errors import ConfigurationError

WHERE = "connectors.elsmart.settings"
_KEYS = {"url", "username", "password", "timeout", "listen_host", "listen_port",
         "inbound_username", "inbound_password", "mapping", "xsd", "wsdl"}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$")


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
        url = _opt(raw, "url")
        if url is not None and urlsplit(url).scheme not in ("http", "https"):
            raise ConfigurationError(f"must be http(s)://..., got {url!r}", where=f"{WHERE}.url")
        port = raw.get("listen_port")
        settings = cls(
            url=url, username=_opt(raw, "username"), password=_opt(raw, "password"),
            timeout=seconds(raw.get("timeout", 10.0), f"{WHERE}.timeout"),
            listen_host=str(raw.get("listen_host") or "127.0.0.1"),
            listen_port=_port(port) if port is not None and port != "" else None,
            inbound_username=_opt(raw, "inbound_username"),
            inbound_password=_opt(raw, "inbound_password"),
            mapping=Path(raw.get("mapping") or MAPPING), xsd=Path(raw.get("xsd") or XSD),
            wsdl=Path(raw.get("wsdl") or WSDL))
        if settings.listen_port is not None and not (settings.inbound_username
                                                     and settings.inbound_password):
            raise ConfigurationError("the inbound endpoint requires authentication: set "
                                     "inbound_username and inbound_password (from ${ENV})",
                                     where=f"{WHERE}.inbound_password")
        return settings


def seconds(value: Any, where: str) -> float:
    """A positive duration: a number of seconds or "250ms", "10s", "2m"."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        match = _DURATION.match(str(value))
        if match is None:
            raise ConfigurationError(f"{value!r} is not a duration (e.g. 10, 500ms, 10s, 1m)",
                                     where=where)
        factor = {"ms": 0.001, "s": 1.0, "m": 60.0, None: 1.0}[match.group(2)]
        number = float(match.group(1)) * factor
    if number <= 0:
        raise ConfigurationError(f"must be more than 0, got {value!r}", where=where)
    return number


def _opt(raw: Mapping[str, Any], key: str) -> str | None:
    value = raw.get(key)
    return None if value is None or value == "" else str(value)


def _port(value: Any) -> int:
    try:
        port = int(value)
    except (TypeError, ValueError):
        port = -1
    if not 0 <= port <= 65535:
        raise ConfigurationError(f"must be a port number 0-65535, got {value!r}",
                                 where=f"{WHERE}.listen_port")
    return port
