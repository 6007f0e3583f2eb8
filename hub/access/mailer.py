"""Sending gridhub's own mail (role-expiry warnings) over SMTP with the standard library.

The server comes from ``smtp_url`` (environment GRIDHUB_SMTP_URL, it holds the password):

    smtp://USER:PASS@HOST:587?starttls=true   plain connection upgraded with STARTTLS
    smtps://USER:PASS@HOST:465                TLS from the first byte
    options: starttls=true|false, timeout=SECONDS (default 10), cafile=PATH (a private CA)

Certificates and host names are always verified. Every socket operation has the time-out.
Failures become hub errors (``raise ... from exc``) as ``hub.smtp`` classifies them.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote, urlsplit

from hub.errors import ConfigurationError, GridhubError
from hub.redaction import redact_url
from hub.smtp import smtp_error
from hub.toolkit.mail import set_header

if TYPE_CHECKING:
    from hub.config import Settings

SETTING = "smtp_url (GRIDHUB_SMTP_URL)"
DEFAULT_TIMEOUT = 10.0
_PORTS = {"smtp": 25, "smtps": 465}
_TRUE, _FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off")


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to connect, parsed from ``smtp_url``."""

    host: str
    port: int
    implicit_tls: bool = False
    starttls: bool = False
    username: str | None = None
    password: str | None = field(default=None, repr=False)  # never in a repr or a log
    timeout: float = DEFAULT_TIMEOUT
    cafile: Path | None = None

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        """Parse ``url``; ConfigurationError names the setting and never shows the password."""
        rest = url.strip().partition("://")[2]
        if rest.count("@") > 1 or any(c in rest.rpartition("@")[0] for c in "/?#"):
            # A URL parser would cut the password there and show pieces of it in errors.
            raise _bad(url, "the user or password holds @ / ? or #: percent-encode them "
                            "(%40 %2F %3F %23)")
        try:
            parts = urlsplit(url.strip())
            port = parts.port
        except ValueError:
            raise _bad(url, "not a URL, or the port is not a number from 1 to 65535") from None
        if parts.scheme not in _PORTS:
            raise _bad(url, f"scheme {parts.scheme!r}: use smtp:// or smtps://")
        if not parts.hostname:
            raise _bad(url, "no host")
        if parts.path not in ("", "/"):
            raise _bad(url, f"unexpected path {parts.path!r}")
        options = _options(url, parts.query)
        implicit = parts.scheme == "smtps"
        starttls = _flag(url, options.pop("starttls", "false"))
        if implicit and starttls:
            raise _bad(url, "smtps:// is TLS already: drop starttls=true")
        timeout = _timeout(url, options.pop("timeout", str(DEFAULT_TIMEOUT)))
        cafile = Path(options.pop("cafile")) if "cafile" in options else None
        if cafile is not None and not cafile.is_file():
            raise _bad(url, f"cafile {cafile} does not exist")
        if options:
            raise _bad(url, f"unknown option(s) {', '.join(sorted(options))}: use starttls, "
                            "timeout, cafile")
        username = unquote(parts.username) if parts.username else None
        password = unquote(parts.password) if parts.password is not None else None
        return cls(parts.hostname, port or _PORTS[parts.scheme], implicit, starttls, username,
                   password, timeout, cafile)

    @property
    def where(self) -> str:
        return f"smtp {self.host}:{self.port}"

    def tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cafile) if self.cafile else None)


@dataclass(frozen=True)
class Mail:
    """One plain-text mail to one recipient."""

    to: str
    subject: str
    body: str


class Mailer:
    """Sends plain-text mail from ``sender`` through ``server``."""

    def __init__(self, server: SmtpServer, sender: str) -> None:
        self.server = server
        self.sender = sender

    @classmethod
    def from_settings(cls, settings: Settings) -> Mailer | None:
        """The mailer the settings describe; None when ``smtp_url`` is unset (no mail)."""
        if settings.smtp_url is None:
            return None
        server = SmtpServer.from_url(settings.smtp_url.get_secret_value())
        if not settings.mail_from:
            raise ConfigurationError("smtp_url is set but mail_from is not: set "
                                     "GRIDHUB_MAIL_FROM (e.g. gridhub@nat.example)",
                                     where="mail_from (GRIDHUB_MAIL_FROM)")
        return cls(server, settings.mail_from)

    @contextmanager
    def connect(self) -> Iterator[Outbox]:
        """One SMTP session (connected, TLS, logged in) for several mails."""
        server = self.server
        try:
            smtp: smtplib.SMTP
            if server.implicit_tls:
                smtp = smtplib.SMTP_SSL(server.host, server.port, timeout=server.timeout,
                                        context=server.tls_context())
            else:
                smtp = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
        except Exception as exc:
            raise _mapped(exc, server) from exc
        try:
            try:
                if server.starttls:
                    smtp.starttls(context=server.tls_context())
                if server.username:
                    smtp.login(server.username, server.password or "")
            except Exception as exc:
                raise _mapped(exc, server) from exc
            yield Outbox(smtp, self.sender, server)
        finally:
            # The mails are handed over already: a server that fails to say goodbye changes
            # nothing, so QUIT's errors are not raised.
            with suppress(smtplib.SMTPException, OSError):
                smtp.quit()
            smtp.close()


class Outbox:
    """Sends over one open session; see ``Mailer.connect``."""

    def __init__(self, smtp: smtplib.SMTP, sender: str, server: SmtpServer) -> None:
        self._smtp = smtp
        self._sender = sender
        self._server = server

    def send(self, mail: Mail) -> None:
        message = EmailMessage()
        headers = {"From": self._sender, "To": mail.to, "Subject": mail.subject,
                   "Date": formatdate(usegmt=True),
                   "Message-ID": make_msgid(domain=_domain(self._sender)),
                   "Auto-Submitted": "auto-generated"}  # RFC 3834: no auto-replies to us
        for name, value in headers.items():  # a bad value: InvalidMessage, never retried
            set_header(message, name, value, where=self._server.where)
        message.set_content(mail.body)  # text/plain, UTF-8 (å, ä, ö, ø)
        try:
            self._smtp.send_message(message)
        except Exception as exc:
            raise _mapped(exc, self._server) from exc


def _mapped(exc: Exception, server: SmtpServer) -> GridhubError:
    """The hub error for a driver error (the caller raises it ``from exc``)."""
    return smtp_error(exc, where=server.where, timeout=server.timeout)


def _domain(sender: str) -> str:
    return parseaddr(sender)[1].rpartition("@")[2] or "gridhub.invalid"


def _bad(url: str, why: str) -> ConfigurationError:
    return ConfigurationError(f"{why} (got {redact_url(url)}; e.g. "
                              "smtp://user:pass@mail.example:587?starttls=true)", where=SETTING)


def _options(url: str, query: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for key, values in parse_qs(query, keep_blank_values=True).items():
        if len(values) != 1:
            raise _bad(url, f"option {key} given {len(values)} times")
        found[key] = values[0]
    return found


def _flag(url: str, value: str) -> bool:
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise _bad(url, f"starttls={value!r}: use true or false")


def _timeout(url: str, value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise _bad(url, f"timeout={value!r}: seconds, e.g. 10") from None
    if not 0 < seconds <= 300:
        raise _bad(url, f"timeout={value!r}: between 0 and 300 seconds")
    return seconds
