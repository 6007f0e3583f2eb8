"""XSD contracts: load once through the hardened parser, validate, name what broke.

lxml validators are not documented as thread-safe, so a lock serialises validation (it takes
microseconds). Error texts drop the offending value: it may be a name or a postcode.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

from lxml import etree

from hub.errors import ConfigurationError, InvalidMessage
from hub.xmlsafe import parser

# lxml quotes the offending value in some messages; a value may be a name or a postcode.
_QUOTED_VALUE = re.compile(r"(The value |: )'[^']*'( is not| has)")


class XsdContract:
    """An XSD and a lock; ``validate`` raises InvalidMessage naming the element and the rule."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._schema: etree.XMLSchema | None = None
        self._lock = threading.Lock()

    def _load(self) -> etree.XMLSchema:
        if self._schema is None:
            try:
                self._schema = etree.XMLSchema(etree.parse(str(self.path), parser()))
            except (OSError, etree.XMLSchemaParseError, etree.XMLSyntaxError) as exc:
                raise ConfigurationError(f"cannot load the contract: {exc}",
                                         where=str(self.path)) from exc
        return self._schema

    def validate(self, element: etree._Element, *, where: str) -> None:
        with self._lock:
            schema = self._load()
            if schema.validate(element):
                return
            errors = list(schema.error_log)
        first = errors[0]
        message = _short(_QUOTED_VALUE.sub(r"\1(value)\2", first.message))
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise InvalidMessage(f"breaks {self.path.name}: {message}{more}",
                             where=f"{where} {_short(first.path)}")


def _short(text: str | None) -> str:
    """/{urn:...}A/{urn:...}B -> /A/B (the namespace is the contract's)."""
    return re.sub(r"\{[^}]*\}", "", text or "")
