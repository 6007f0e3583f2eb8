"""Sending one mail over SMTP (smtplib), and the classification of every failure.

    refused / reset / DNS / TLS failure / disconnect  -> TargetUnavailable  (transient)
    no answer within the time-out                      -> TargetTimeout      (transient)
    4xx reply (421 included)                           -> TargetServerError  (transient)
    5xx reply                                          -> TargetRejected     (permanent)
    server lacks STARTTLS or AUTH that settings ask    -> TargetRejected     (permanent)
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from connectors.notify.settings import NotifySettings
from hub.errors import (
    GridhubError,
    RemoteFault,
    TargetRejected,
    TargetServerError,
    TargetTimeout,
    TargetUnavailable,
)


def send(mail: EmailMessage, settings: NotifySettings) -> None:
    """Deliver ``mail`` to the SMTP server; raises hub errors with the SMTP reply kept."""
    where = f"smtp {settings.host}:{settings.port}"
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
            if settings.starttls:
                smtp.starttls(context=_tls_context(settings))
            if settings.username:
                smtp.login(settings.username, settings.password or "")
            smtp.send_message(mail)
    except smtplib.SMTPRecipientsRefused as exc:
        raise _refused(exc, where) from exc
    except smtplib.SMTPResponseException as exc:
        raise _reply(exc.smtp_code, exc.smtp_error, where) from exc
    except smtplib.SMTPNotSupportedError as exc:
        raise TargetRejected(f"the server does not support what settings ask: {exc}",
                             where=where) from exc
    except smtplib.SMTPServerDisconnected as exc:
        # smtplib turns a read time-out into "Connection unexpectedly closed: timed out".
        if isinstance(exc.__context__, TimeoutError):
            raise _timeout(settings, where) from exc
        raise TargetUnavailable(f"the mail server closed the connection: {exc}",
                                where=where) from exc
    except smtplib.SMTPException as exc:  # SMTPException is an OSError: before it
        raise TargetServerError(f"SMTP failure: {exc}", where=where) from exc
    except TimeoutError as exc:
        raise _timeout(settings, where) from exc
    except OSError as exc:  # refused, reset, unreachable, DNS, TLS handshake or certificate
        raise TargetUnavailable(f"cannot reach the mail server: {exc}", where=where) from exc


def _timeout(settings: NotifySettings, where: str) -> TargetTimeout:
    return TargetTimeout(f"no answer within {settings.timeout:g}s", where=where)


def _tls_context(settings: NotifySettings) -> ssl.SSLContext:
    # Certificates and host names are always verified; ca_file adds a private CA.
    return ssl.create_default_context(cafile=str(settings.ca_file) if settings.ca_file else None)


def _refused(exc: smtplib.SMTPRecipientsRefused, where: str) -> GridhubError:
    replies = list(exc.recipients.values())
    code, text = replies[0] if replies else (0, b"")
    # Any permanent refusal decides: retrying the same recipient cannot help.
    for candidate, candidate_text in replies:
        if _permanent(candidate):
            code, text = candidate, candidate_text
            break
    return _reply(code, text, where, what="recipient refused")


def _reply(code: int, text: bytes | str, where: str, what: str = "SMTP reply") -> GridhubError:
    message = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    remote = RemoteFault(kind="smtp", status=str(code), message=message[:500])
    if _permanent(code):
        return TargetRejected(f"{what} {code}: {message}", where=where, remote=remote)
    return TargetServerError(f"{what} {code}: {message}", where=where, remote=remote)


def _permanent(code: int) -> bool:
    return 500 <= code < 600
