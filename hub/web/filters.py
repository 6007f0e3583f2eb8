"""The dead-letter filters of the web pages (query string or form) as a ``Selection``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import click

from hub.ops.cli_support import When
from hub.ops.selection import Selection

FIELDS = ("route", "connector", "type", "key", "since", "until")


class BadFilter(ValueError):
    """A filter value that cannot be read; the message names the field."""


@dataclass(frozen=True)
class Filters:
    """What the filter form holds, as typed (kept to show it again)."""

    values: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, source: Mapping[str, Any]) -> Filters:
        return cls({k: str(source[k]).strip() for k in FIELDS
                    if source.get(k) is not None and str(source[k]).strip()})

    def selection(self, *, fingerprint: str | None = None, ids: tuple[int, ...] = (),
                  everything: bool = False) -> Selection:
        """``key`` is a case id, GSRN, meter number or work-order id (all business keys)."""
        v = self.values
        return Selection(ids=ids, fingerprint=fingerprint, key=v.get("key"),
                         route=v.get("route"), connector=v.get("connector"),
                         message_type=v.get("type"), since=_time(v, "since"),
                         until=_time(v, "until"), everything=everything)

    def query(self) -> str:
        return urlencode(self.values)

    def __bool__(self) -> bool:
        return bool(self.values)


def _time(values: Mapping[str, str], name: str) -> datetime | None:
    text = values.get(name)
    if not text:
        return None
    try:
        found: datetime = When().convert(text, None, None)
    except click.BadParameter as exc:
        raise BadFilter(f"{name}: {exc.message}") from None
    return found
