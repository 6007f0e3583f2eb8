"""How interchanges travel: out by SMTP, in from a directory a communication gateway fills.

Out: Ediel's standard channel is e-mail (ediel-sweden.md §4): one interchange per mail as an
``application/EDIFACT`` base64 attachment, the family and UNB in the Subject. S/MIME
encryption to the partner's certificate is the gateway's or mail relay's job here (the cipher
and signing rules of "generella tekniska regler" are unverified).

In: a directory, not a mailbox: the grid owner's communication gateway (which holds the Ediel
certificates and decrypts S/MIME) drops each interchange as a file. Files are taken oldest
first, copied whole to ``archive`` (fsynced) before anything reads them, and removed from the
inbox only after the hub has them and they are answered.
"""

from __future__ import annotations

import os
import smtplib
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from hub.toolkit import ConfigurationError, smtp_error


class Outbox(Protocol):
    """Sends one interchange to one Ediel-id."""

    def send(self, recipient: str, interchange: bytes, subject: str) -> None: ...


@dataclass(frozen=True)
class Received:
    name: str
    raw: bytes
    archived: Path
    source: Path


class Inbox(Protocol):
    """Interchanges waiting to be read; :meth:`done` once the hub has one and it is answered."""

    def take(self) -> Iterator[Received]: ...

    def done(self, received: Received) -> None: ...


class SmtpOutbox:
    def __init__(self, *, host: str, port: int, sender: str, addresses: dict[str, str],
                 timeout: float = 30.0, username: str | None = None,
                 password: str | None = None, starttls: bool = False) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.addresses = addresses
        self.timeout = timeout
        self.credentials = (username, password or "") if username else None
        self.starttls = starttls

    def address(self, recipient: str) -> str:
        address = self.addresses.get(recipient)
        if not address:
            raise ConfigurationError(
                f"no mail address for Ediel-id {recipient} (add it under addresses)",
                where="connectors.ediel.settings.addresses")
        return address

    def send(self, recipient: str, interchange: bytes, subject: str) -> None:
        mail = EmailMessage()
        mail["From"], mail["To"] = self.sender, self.address(recipient)
        mail["Subject"] = subject
        mail.set_content("Ediel interchange attached.\n")
        mail.add_attachment(interchange, maintype="application", subtype="EDIFACT",
                            filename="interchange.edi")
        where = f"smtp://{self.host}:{self.port}"
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.credentials:
                    smtp.login(*self.credentials)
                smtp.send_message(mail)
        except (smtplib.SMTPException, OSError) as exc:
            raise smtp_error(exc, where=where, timeout=self.timeout) from exc


class DirectoryInbox:
    def __init__(self, inbox: Path, archive: Path) -> None:
        self.inbox, self.archive = inbox, archive
        for path in (inbox, archive):
            path.mkdir(parents=True, exist_ok=True)

    def take(self) -> Iterator[Received]:
        files = sorted((p for p in self.inbox.iterdir()
                        if p.is_file() and not p.name.startswith(".")),
                       key=lambda p: (p.stat().st_mtime, p.name))
        for path in files:
            raw = path.read_bytes()
            yield Received(path.name, raw, self._store(path.name, raw), path)

    def _store(self, name: str, raw: bytes) -> Path:
        """Write ``raw`` whole to the archive and fsync it before anything acts on it."""
        target = self.archive / name
        partial = target.with_name(f".{name}.partial")
        with open(partial, "wb") as out:
            out.write(raw)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, target)
        return target

    def done(self, received: Received) -> None:
        received.source.unlink(missing_ok=True)

