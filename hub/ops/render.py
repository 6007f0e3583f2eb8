"""Text for people at 03:00 and JSON for scripts: aligned tables, short times, masking."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from hub.logs import mask_personal_data
from schemas.masking import mask_personal_numbers

DASH = "-"
# Characters a terminal acts on instead of showing: C0/C1 controls (a line break, ESC starting
# a colour or a cursor move), DEL, the Unicode line/paragraph separators and the bidirectional
# overrides that reorder what is shown. Data (a case reference from the portal) may hold them.
_ACTING = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """``text`` with every character a terminal would act on written as an escape (``\\n``,
    ``\\x1b``, ``\\u2028``): one cell stays one cell, on one line, and shows what it holds."""
    return _ACTING.sub(_escape, text)


def _escape(found: re.Match[str]) -> str:
    char = found.group()
    if char in _ESCAPES:
        return _ESCAPES[char]
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def when(value: datetime | None) -> str:
    """UTC, to the second, like the logs: ``2024-03-14 08:30:12Z``."""
    if value is None:
        return DASH
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def age(seconds: float | None) -> str:
    """``45s``, ``12m05s``, ``3h20m``, ``2d04h``."""
    if seconds is None:
        return DASH
    s = int(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    if s < 86400:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    return f"{s // 86400}d{s % 86400 // 3600:02d}h"


def number(value: float | int | None, unit: str = "") -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.1f}{unit}"
    return f"{value}{unit}"


def clip(text: str | None, width: int) -> str:
    """One line, at most ``width`` characters, control characters escaped."""
    if not text:
        return DASH
    line = printable(" ".join(text.split()))
    return line if len(line) <= width else line[:width - 1] + "…"


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], indent: str = "") -> str:
    """Columns padded to their widest cell; numbers right-aligned; every cell printable."""
    cells = [[DASH if c is None else printable(str(c)) for c in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    numeric = [all(_numeric(r[i]) for r in cells) and bool(cells) for i in range(len(headers))]

    def line(values: Sequence[str]) -> str:
        parts = [v.rjust(w) if num else v.ljust(w)
                 for v, w, num in zip(values, widths, numeric, strict=True)]
        return (indent + "  ".join(parts)).rstrip()

    return "\n".join([line(list(headers)), *(line(r) for r in cells)])


def _numeric(text: str) -> bool:
    return text.replace(".", "", 1).isdigit() or text == DASH


def masked(value: Any) -> Any:
    """``value`` with personal data masked (names, addresses, personal and organisation
    numbers), by the same rules as the logs."""
    return mask_personal_data(None, "render", {"value": value})["value"]


def masked_text(text: str | None) -> str | None:
    """Free text (an error message, a trace detail) with personal numbers masked."""
    return mask_personal_numbers(text) if text else text


def jsonable(value: Any) -> Any:
    """Dataclasses, datetimes, enums and bytes as plain JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        # Message bodies hold personal data: shown only on purpose (``dlq show``), masked.
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)
                if f.name != "body"}
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return value


def dumps(value: Any) -> str:
    return json.dumps(jsonable(value), indent=2, ensure_ascii=False)
