"""Reading connector settings: the small parsers every connector needs, written once.

Each raises ConfigurationError naming the setting (``where``) and what is accepted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from hub.errors import ConfigurationError
from hub.routes.durations import parse_duration

_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def seconds(value: Any, where: str) -> float:
    """A positive duration: a number of seconds or "250ms", "10s", "2m"."""
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        value = float(value)  # "${TIMEOUT:-10}" arrives as a string of seconds
    try:
        number = parse_duration(value)
    except ValueError as exc:
        raise ConfigurationError(str(exc), where=where) from exc
    if number <= 0:
        raise ConfigurationError(f"must be more than 0, got {value!r}", where=where)
    return number


def optional(raw: Mapping[str, Any], key: str) -> str | None:
    """A string setting, or None when absent or empty."""
    value = raw.get(key)
    return None if value is None or value == "" else str(value)


def port(value: Any, where: str, *, allow_zero: bool = False) -> int:
    """A TCP port; 0 (pick a free one) only where ``allow_zero``."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    low = 0 if allow_zero else 1
    if not low <= number <= 65535:
        raise ConfigurationError(f"must be a port number {low}-65535, got {value!r}",
                                 where=where)
    return number


def flag(value: Any, where: str) -> bool:
    """true/false, yes/no, 1/0."""
    if isinstance(value, bool):
        return value
    text = str(value).lower()
    if text in ("true", "yes", "1", "false", "no", "0"):
        return text in ("true", "yes", "1")
    raise ConfigurationError(f"must be true or false, got {value!r}", where=where)


def http_url(value: Any, where: str) -> str:
    """An http(s) URL."""
    url = str(value or "")
    if urlsplit(url).scheme not in ("http", "https"):
        raise ConfigurationError(f"url must be http(s)://..., got {url!r}", where=where)
    return url
