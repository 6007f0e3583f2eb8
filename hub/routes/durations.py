"""Durations in routes.yaml: a number of seconds, or a string like 500ms, 30s, 5m, 2h, 3d."""

from __future__ import annotations

import re

_DURATION = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(ms|s|m|h|d)\s*")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def parse_duration(value: object) -> float:
    """Seconds as a float; ValueError saying what is accepted."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str) and (found := _DURATION.fullmatch(value)):
        seconds = float(found.group(1)) * _UNIT_SECONDS[found.group(2)]
    else:
        raise ValueError(f"bad duration {value!r}: give seconds as a number, or a number with "
                         "a unit: 500ms, 30s, 5m, 2h, 3d")
    if seconds < 0:
        raise ValueError(f"bad duration {value!r}: must not be negative")
    return seconds
