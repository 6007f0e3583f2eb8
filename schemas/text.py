"""Text in the canonical model: what a field may hold, decided at the contract.

A single-line field (a name, a reference, a subject, an id) refuses every control character:
a newline in a case reference would otherwise travel on into an e-mail header, a CSV cell or a
terminal table and change its meaning there (issue 13, item 13). A multi-line field (a note,
a comment) keeps line feeds, carriage returns and tabs and refuses the rest. The published
JSON Schema carries the same rule as a ``pattern``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator, Field

# C0, DEL, C1, and the Unicode line and paragraph separators (they end a line too).
SINGLE_LINE_PATTERN = r"^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]*$"
MULTI_LINE_PATTERN = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$"
_SINGLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_MULTI = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _control(text: str, pattern: re.Pattern[str]) -> tuple[int, str] | None:
    found = pattern.search(text)  # one C-level scan: this runs on every message
    return (found.start(), found.group()) if found else None


def _refuse(found: tuple[int, str], what: str) -> ValueError:
    index, char = found
    name = unicodedata.name(char, "") or {"\n": "LINE FEED", "\r": "CARRIAGE RETURN",
                                          "\t": "TAB"}.get(char, "control character")
    return ValueError(f"{what} may not contain U+{ord(char):04X} ({name.lower()}), found at "
                      f"character {index + 1}")


def single_line(text: str) -> str:
    """``text`` unchanged, or ValueError naming the first control character and where."""
    found = _control(text, _SINGLE)
    if found is not None:
        raise _refuse(found, "a single-line text")
    return text


def multi_line(text: str) -> str:
    """Like :func:`single_line`, but line feeds, carriage returns and tabs are text here."""
    found = _control(text, _MULTI)
    if found is not None:
        raise _refuse(found, "a text")
    return text


Text = Annotated[str, Field(min_length=1, max_length=300,
                            json_schema_extra={"pattern": SINGLE_LINE_PATTERN}),
                 AfterValidator(single_line)]
"""A single line: a name, a reference, a subject."""
LongText = Annotated[str, Field(min_length=1, max_length=4000,
                                json_schema_extra={"pattern": MULTI_LINE_PATTERN}),
                     AfterValidator(multi_line)]
"""Several lines: a note, a comment, information."""
Key = Annotated[str, Field(min_length=1, max_length=64,
                           json_schema_extra={"pattern": SINGLE_LINE_PATTERN}),
                AfterValidator(single_line)]
"""An identifier or code that travels in headers and keys: a message id, a case id."""
SingleLine = Annotated[str, Field(json_schema_extra={"pattern": SINGLE_LINE_PATTERN}),
                       AfterValidator(single_line)]
"""A single line with the field's own bounds (``Field(max_length=...)`` beside it)."""
