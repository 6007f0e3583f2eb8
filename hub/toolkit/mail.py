"""Mail headers, written only through the email package's header API, one header at a time.

A header value comes from data (a case reference, an installer's name): a line break in it
would end the header and let the rest be read as more headers (``Bcc: …``) or as the body.
Every value is checked first (no control character at all, the same rule as the canonical
model's single-line text), then handed to the email package, whose own refusals are caught
too. Either way the mail cannot be written: an :class:`InvalidMessage` (permanent, never
retried) naming the header, never its value (an address or a name is personal data).
"""

from __future__ import annotations

from email.header import Header
from email.headerregistry import Group
from email.message import EmailMessage

from hub.errors import InvalidMessage
from hub.smtp import HEADER_ERRORS
from schemas.text import single_line


def set_header(mail: EmailMessage, name: str, value: str | Group, *, where: str) -> None:
    """``mail[name] = value``, or InvalidMessage naming ``name``."""
    _check(name, value.display_name if isinstance(value, Group) else value, where)
    try:
        mail[name] = value
    except HEADER_ERRORS as exc:
        raise InvalidMessage(f"the {name} header cannot be written: {type(exc).__name__}",
                             where=f"{where}: {name}") from exc


def set_encoded_header(mail: EmailMessage, name: str, value: str, *, where: str) -> None:
    """Like :func:`set_header`, encoded by the email package's classic ``Header``: the modern
    policy's folding drops the space between two encoded words of a long non-ASCII value
    ("Ä Ä" arrives as "ÄÄ", Python 3.11), the classic encoder keeps it. The value is checked
    first, so what ``set_raw`` writes holds no line break but the encoder's own folding."""
    _check(name, value, where)
    try:
        mail.set_raw(name, Header(value, header_name=name).encode(linesep="\r\n"))
    except HEADER_ERRORS as exc:
        raise InvalidMessage(f"the {name} header cannot be written: {type(exc).__name__}",
                             where=f"{where}: {name}") from exc


def _check(name: str, value: str | None, where: str) -> None:
    try:
        single_line(value or "")
    except ValueError as exc:
        raise InvalidMessage(f"the {name} header: {exc}", where=f"{where}: {name}") from None
