"""The notify connector class: mail the installer responsible for a case about its status."""

from __future__ import annotations

import socket
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import structlog

from connectors.notify import mail, smtp
from connectors.notify.contacts import Contact, ContactBook
from connectors.notify.settings import STATE_DIR, NotifySettings
from hub.toolkit import Connector, Inbound, InvalidMessage
from schemas.case import Case
from schemas.codes import CaseStatus
from schemas.envelope import Envelope
from schemas.message_types import MessageType
from schemas.payloads import parse_payload

log = structlog.get_logger("gridhub.notify")
M = MessageType
RECORDED = frozenset({M.CASE_SUBMITTED, M.CASE_RESUBMITTED, M.CASE_COMPLETION_SUBMITTED})
"""Case messages: notify records the responsible installer from them and sends nothing."""
MAILED = frozenset(mail.STATUS_OF_TYPE)
PREVIEW_SENDER = "gridhub <noreply@gridhub.invalid>"


class NotifyConnector(Connector):
    """E-mail to installers (SMTP). Outbound only."""

    name = "notify"

    def __init__(self, settings: Mapping[str, Any], inbound: Inbound) -> None:
        super().__init__(settings, inbound)
        self.config = NotifySettings.parse(self.settings)
        # an empty state_dir means the default directory: the book is never kept in memory only
        state_dir = self.config.state_dir or STATE_DIR
        self.contacts = ContactBook(state_dir / "notify-contacts.sqlite3")

    def deliver(self, message: Envelope) -> Sequence[Envelope]:
        type_ = M(message.type)
        if type_ in RECORDED:
            case = parse_payload(message)
            assert isinstance(case, Case)
            self.contacts.put(Contact.from_case(case))
            return []
        if type_ not in MAILED:
            handled = sorted(str(t) for t in RECORDED | MAILED)
            raise InvalidMessage(f"notify does not handle {type_} (it handles: "
                                 f"{', '.join(handled)})", where="type")
        return self._mail(message)

    def _mail(self, message: Envelope) -> list[Envelope]:
        status = mail.STATUS_OF_TYPE[M(message.type)]
        contact = self.contacts.get(message.case_id)
        recipient = contact.email if contact and contact.email else \
            self.config.fallback_recipient
        if recipient is None:
            raise InvalidMessage(
                f"no installer e-mail known for case {message.case_id}: route the case "
                "messages (case.submitted ...) to notify too, or set fallback_recipient",
                where="recipient")
        if status not in self._chosen(contact):
            log.info("notify.not_chosen", case_id=message.case_id, status=str(status),
                     message_id=message.message_id)
            return []
        sent_at = datetime.now(UTC).replace(microsecond=0)  # a Date header has seconds only
        rendered = mail.status_mail(message, contact, sender=self.config.sender,
                                    sent_at=sent_at, recipient=recipient)
        smtp.send(rendered.mail, self.config)
        log.info("notify.sent", case_id=message.case_id, status=str(status),
                 message_id=message.message_id, recipient=_mask(recipient))
        return [rendered.notified] if rendered.notified else []

    def _chosen(self, contact: Contact | None) -> frozenset[CaseStatus]:
        """The statuses the installer company chose in the portal (its company data, carried
        on the case); the settings' default for a company whose portal sent no choice."""
        if contact is not None and contact.mail_statuses is not None:
            return frozenset(CaseStatus(s) for s in contact.mail_statuses)
        return self.config.statuses

    def reachable(self) -> bool:
        try:
            with socket.create_connection((self.config.host, self.config.port), timeout=2):
                return True
        except OSError:
            return False

    @classmethod
    def to_canonical(cls, document: bytes) -> list[Envelope]:
        """A mail notify sent -> the ``installer.notified`` event it constitutes."""
        return [mail.read(document)]

    @classmethod
    def to_wire(cls, message: Envelope) -> bytes:
        """The RFC 5322 mail: for ``installer.notified`` as sent; for a status message a
        preview (the recipient is resolved at delivery from the contact book)."""
        if message.type == mail.NOTIFIED:
            return mail.notified_mail(message, sender=PREVIEW_SENDER).as_bytes()
        if M(message.type) not in MAILED:
            raise InvalidMessage(f"notify mails no {message.type} (it mails: "
                                 f"{', '.join(sorted(MAILED))}, {mail.NOTIFIED})",
                                 where="type")
        sent_at = message.occurred_at.replace(microsecond=0)
        preview = mail.status_mail(message, None, sender=PREVIEW_SENDER, sent_at=sent_at)
        return preview.mail.as_bytes()


def _mask(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"
