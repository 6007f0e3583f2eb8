"""The one way to show a URL that may carry credentials: in logs, errors, status and the CLI.

Everything between ``scheme://`` and the LAST ``@`` of that address goes, because a password
may hold a raw ``@``, ``/``, ``?`` or ``;`` that a URL parser would split at (issue 13 item 14:
``amqp://gridhub:p@ssw0rd@rabbit`` once showed as ``amqp://***@ssw0rd@rabbit``). kombu takes
several broker addresses joined by ``;`` (``amqp://a;amqp://u:p@b``): each address is redacted
on its own (issue 20 item 4: the second and third passwords once showed in clear). Free text
is accepted too (a driver's error message that quotes the URL): every URL-like word in it is
redacted; a bare ``user:pass@host`` (one word, no scheme) is redacted as a whole. When in
doubt this hides too much, never too little.
"""

from __future__ import annotations

import re

MASK = "***"
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")
_SPACE = re.compile(r"(\s+)")


def redact_url(text: str) -> str:
    """``text`` with the user and password of every URL in it replaced by ``***``."""
    if "@" not in text:
        return text
    stripped = text.strip()
    if not _SCHEME.search(stripped) and not _SPACE.search(stripped):
        # One word with no scheme is a setting's value such as "user:pass@host".
        return f"{MASK}@{stripped.rpartition('@')[2]}"
    return "".join(_redact_word(word) for word in _SPACE.split(text))


def _redact_word(word: str) -> str:
    starts = [found.start() for found in _SCHEME.finditer(word)]
    if not starts:
        return word
    # An address runs from its scheme to the next scheme: "amqp://a;amqp://u:p@b" is two.
    pieces = [word[:starts[0]]]
    for begin, end in zip(starts, [*starts[1:], len(word)], strict=True):
        address = word[begin:end]
        authority = address.index("://") + 3
        at = address.rfind("@")
        if at >= authority:
            address = f"{address[:authority]}{MASK}@{address[at + 1:]}"
        pieces.append(address)
    return "".join(pieces)
