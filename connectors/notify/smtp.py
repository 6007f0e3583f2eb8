"""Sending one mail over SMTP (smtplib); failures are classified by ``hub.smtp``."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from connectors.notify.settings import NotifySettings
from hub.toolkit import smtp_error


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
    except Exception as exc:  # every driver error becomes a hub error, classified once
        raise smtp_error(exc, where=where, timeout=settings.timeout) from exc


def _tls_context(settings: NotifySettings) -> ssl.SSLContext:
    # Certificates and host names are always verified; ca_file adds a private CA.
    return ssl.create_default_context(cafile=str(settings.ca_file) if settings.ca_file else None)
