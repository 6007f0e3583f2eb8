"""The nis connector class: network information over XML/HTTP.

Outbound (deliver):
    griddata.requested      -> POST {url}/griddata      -> returns [griddata.answered]
    installation.registered -> POST {url}/installations -> returns []
No inbound side: the NIS only answers.

Settings (routes.yaml ``connectors.<x>.settings``; credentials as ${ENV}):
    url                 NIS base url, required
    username, password  HTTP Basic
    timeout             seconds per call (10)
    mapping, xsd        a grid owner's own mapping file and contract
"""

from __future__ import annotations

import socket
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from connectors.nis import codec
from connectors.nis.client import NisClient
from connectors.nis.contract import XSD_PATH
from connectors.nis.wire import MAPPING_PATH, NisWire
from hub.toolkit import ConfigurationError, Connector, Inbound, InvalidMessage
from hub.toolkit import parse_xml as parse
from schemas.envelope import Envelope
from schemas.message_types import MessageType

M = MessageType


class NisConnector(Connector):
    name = "nis"

    def __init__(self, settings: Mapping[str, Any], inbound: Inbound) -> None:
        super().__init__(settings, inbound)
        url = str(self.settings.get("url", ""))
        if urlsplit(url).scheme not in ("http", "https"):
            raise ConfigurationError(f"url must be http(s)://..., got {url!r}",
                                     where="connectors.nis.settings.url")
        self.url = url
        self.timeout = _timeout(self.settings)
        self.wire = NisWire(Path(self.settings.get("mapping") or MAPPING_PATH),
                            Path(self.settings.get("xsd") or XSD_PATH))
        self.client = NisClient(url, timeout=self.timeout,
                                username=self.settings.get("username"),
                                password=self.settings.get("password"),
                                error_reader=self._error_of)

    def deliver(self, message: Envelope) -> Sequence[Envelope]:
        if message.type not in (M.GRID_DATA_REQUESTED, M.INSTALLATION_REGISTERED):
            raise InvalidMessage(f"nis takes griddata.requested and installation.registered, "
                                 f"not {message.type}", where="nis.deliver")
        kind = codec.kind_for(message)
        path, answer_kind = self.wire.resource(kind)
        answer = self.client.post(path, codec.to_wire(message, self.wire))
        where = f"nis answer from {self.client.base_url}{path}"
        if message.type == M.GRID_DATA_REQUESTED:
            return [codec.answer_from_wire(message, answer, self.wire, where=where)]
        self.wire.read(answer_kind, answer, where=where)  # a receipt that breaks the contract
        return []

    def reachable(self) -> bool:
        parts = urlsplit(self.url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            with socket.create_connection((parts.hostname or "", port), timeout=2):
                return True
        except OSError:
            return False

    def _error_of(self, body: bytes) -> tuple[str | None, str | None]:
        """(Code, Text) of an Error document through the mapping; (None, None) otherwise."""
        try:
            root = parse(body, where="NIS error body")
            if self.wire.kind_of(root) != "Error":
                return None, None
            _, data = self.wire.read("Error", root, where="NIS error body")
        except InvalidMessage:
            return None, None
        return data.get("code"), data.get("text")

    @classmethod
    def to_canonical(cls, document: bytes) -> list[Envelope]:
        return codec.to_canonical(document, NisWire.default())

    @classmethod
    def to_wire(cls, message: Envelope) -> bytes:
        return codec.to_wire(message, NisWire.default())


def _timeout(settings: Mapping[str, Any]) -> float:
    raw = settings.get("timeout", 10.0)
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ConfigurationError(f"timeout must be a number, got {raw!r}",
                                 where="connectors.nis.settings.timeout") from None
    if value <= 0:
        raise ConfigurationError("timeout must be positive",
                                 where="connectors.nis.settings.timeout")
    return value
