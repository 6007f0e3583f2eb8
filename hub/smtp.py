"""SMTP failures as hub errors: one classification for every sender of mail (the notify
connector, gridhub's own role-expiry mail). The caller raises the result ``from exc``.

    refused / reset / DNS / TLS failure / disconnect  -> TargetUnavailable  (transient)
    no answer within the time-out                      -> TargetTimeout      (transient)
    4xx reply (421 included)                           -> TargetServerError  (transient)
    5xx reply (recipient or login refused ...)         -> TargetRejected     (permanent)
    server lacks STARTTLS or AUTH that settings ask    -> TargetRejected     (permanent)
    the mail cannot be written (a bad header)          -> InvalidMessage     (permanent)
"""

from __future__ import annotations

import smtplib
from email.errors import HeaderParseError

from hub.errors import (
    GridhubError,
    InvalidMessage,
    RemoteFault,
    TargetRejected,
    TargetServerError,
    TargetTimeout,
    TargetUnavailable,
)

# What the email package raises for a value it cannot write as a header (smtplib writing the
# mail, or hub.toolkit.mail setting a header): the mail itself is wrong, retrying cannot help.
HEADER_ERRORS = (ValueError, TypeError, IndexError, HeaderParseError, UnicodeError)


def smtp_error(exc: BaseException, *, where: str, timeout: float) -> GridhubError:
    """The hub error for an smtplib or socket error raised while talking to ``where``."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return _refused(exc, where)
    if isinstance(exc, smtplib.SMTPResponseException):
        return _reply(exc.smtp_code, exc.smtp_error, where, "SMTP reply")
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return TargetRejected(f"the server does not support what the settings ask: {exc}",
                              where=where)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        # smtplib turns a read time-out into "Connection unexpectedly closed: timed out".
        if isinstance(exc.__context__, TimeoutError):
            return TargetTimeout(f"no answer within {timeout:g}s", where=where)
        return TargetUnavailable(f"the mail server closed the connection: {exc}", where=where)
    # smtplib writing the mail: retrying cannot help. (A certificate error is a ValueError too,
    # and an OSError: the server's side, below.)
    if isinstance(exc, HEADER_ERRORS) and not isinstance(exc, OSError):
        return InvalidMessage(f"the mail cannot be written: {type(exc).__name__}: {exc}",
                              where=where)
    if isinstance(exc, smtplib.SMTPException):  # an OSError too: test it first
        return TargetServerError(f"SMTP failure: {exc}", where=where)
    if isinstance(exc, TimeoutError):
        return TargetTimeout(f"no answer within {timeout:g}s", where=where)
    if isinstance(exc, OSError):  # refused, reset, unreachable, DNS, TLS handshake/certificate
        return TargetUnavailable(f"cannot reach the mail server: {exc}", where=where)
    return TargetServerError(f"SMTP failure: {type(exc).__name__}: {exc}", where=where)


def _refused(exc: smtplib.SMTPRecipientsRefused, where: str) -> GridhubError:
    replies = list(exc.recipients.values())
    code, text = replies[0] if replies else (0, b"")
    # Any permanent refusal decides: retrying the same recipient cannot help.
    for candidate, candidate_text in replies:
        if 500 <= candidate < 600:
            code, text = candidate, candidate_text
            break
    return _reply(code, text, where, "recipient refused")


def _reply(code: int, text: bytes | str, where: str, what: str) -> GridhubError:
    message = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    remote = RemoteFault(kind="smtp", status=str(code), message=message[:500])
    if 500 <= code < 600:
        return TargetRejected(f"{what} {code}: {message}", where=where, remote=remote)
    return TargetServerError(f"{what} {code}: {message}", where=where, remote=remote)
