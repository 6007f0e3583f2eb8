"""The published elsmart contract (WSDL + XSD) and validation of documents against it."""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from pathlib import Path

from lxml import etree

import schemas.contracts.elsmart as _contract_pkg
from hub.toolkit import ConfigurationError, InvalidMessage
from hub.toolkit import xml_parser as parser
from schemas.identifiers import mask_digits

CONTRACT_DIR = Path(_contract_pkg.__file__).parent
XSD = CONTRACT_DIR / "elsmart.xsd"
WSDL = CONTRACT_DIR / "elsmart.wsdl"
NS = "urn:gridhub:elsmart:v1"

_QUOTED = re.compile(r"'([^']*)'")
_MAX_ERRORS = 3


class Contract:
    """An XSD loaded through the hardened parser; ``check`` raises InvalidMessage."""

    def __init__(self, xsd: Path = XSD) -> None:
        try:
            self.schema = etree.XMLSchema(etree.parse(str(xsd), parser()))
        except (OSError, etree.XMLSchemaParseError, etree.XMLSyntaxError) as exc:
            raise ConfigurationError(f"cannot load the contract: {exc}", where=str(xsd)) from exc
        self.source = xsd
        self._lock = threading.Lock()  # the error log lives on the schema object

    def check(self, element: etree._Element, *, where: str) -> None:
        """Validate ``element`` (a request or answer body element) against the contract."""
        with self._lock:
            if self.schema.validate(element):
                return
            log = list(self.schema.error_log)
        errors = log[:_MAX_ERRORS]
        first = errors[0]
        text = "; ".join(f"{e.path}: {_readable(e.message)}" for e in errors)
        more = len(log) - len(errors)
        raise InvalidMessage(
            f"breaks the elsmart contract: {text}" + (f" (and {more} more)" if more > 0 else ""),
            where=f"{where}: {(first.path or '').lstrip('/')} (line {first.line})")


def _readable(message: str) -> str:
    """Shorten namespaces and mask long digit runs (a value may be a personal number)."""
    message = message.replace(f"{{{NS}}}", "e:")
    return _QUOTED.sub(lambda m: "'" + _mask(m.group(1)) + "'", message)


def _mask(value: str) -> str:
    digits = sum(ch.isdigit() for ch in value)
    return mask_digits(value) if digits > 4 and not value.startswith("\\") else value


@lru_cache(maxsize=4)
def contract(xsd: Path = XSD) -> Contract:
    """A shared, loaded contract."""
    return Contract(xsd)
