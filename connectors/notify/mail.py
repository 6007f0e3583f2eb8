"""The installer e-mail: rendered from templates, checked against the contract, read back.

A mail IS an ``installer.notified`` event: its X-Gridhub-* headers carry that event's ids, so
reading a mail back gives exactly the event (``read``), and a mail is traceable in the hub's
case timeline. The body shows the case reference and the reason note; an internal note
(visible to the grid owner only) is never mailed, the mail points to the portal instead.
"""

from __future__ import annotations

import json
import string
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.headerregistry import Group
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, parsedate_to_datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
from pydantic import ValidationError

import connectors.notify.templates as _templates
import schemas.contracts.notify as _contract
from connectors.notify.contacts import Contact
from hub.toolkit import ConfigurationError, InvalidMessage, set_encoded_header, set_header
from schemas.case import Note
from schemas.codes import CaseStatus, Language
from schemas.envelope import Envelope, derived_message_id
from schemas.message_types import MessageType
from schemas.payloads import (
    CaseDecision,
    CaseRejection,
    InstallerNotified,
    StatusChange,
    parse_payload,
)

M = MessageType
TEMPLATES = Path(_templates.__file__).parent
SCHEMA = Path(_contract.__file__).parent / "notification.schema.json"
STATUS_OF_TYPE = {M.CASE_APPROVED: CaseStatus.approved, M.CASE_REJECTED: CaseStatus.pre_rejected,
                  M.CASE_COMPLETION_REJECTED: CaseStatus.completion_rejected,
                  M.CASE_CANCELLED: CaseStatus.cancelled}
NOTIFIED = M.INSTALLER_NOTIFIED.value
_GENERIC = {"sv": {"installer": "installatör", "company": "ert företag",
                   "grid_owner": "Nätbolaget", "internal": "Se noteringen i ärendet i portalen.",
                   "none": "Se ärendet i portalen."},
            "nb": {"installer": "installatør", "company": "firmaet deres",
                   "grid_owner": "Nettselskapet", "internal": "Se notatet i saken i portalen.",
                   "none": "Se saken i portalen."}}

_POLICY = policy.SMTP.clone(refold_source="none")


@dataclass(frozen=True)
class Rendered:
    mail: EmailMessage
    notified: Envelope | None  # None for a preview without a recipient


def status_mail(message: Envelope, contact: Contact | None, *, sender: str, sent_at: datetime,
                recipient: str | None = None) -> Rendered:
    """The mail for a status message; ``recipient`` None and no contact: a preview."""
    status = STATUS_OF_TYPE[M(message.type)]
    payload = parse_payload(message)
    note = payload.reason if isinstance(payload, CaseRejection) else (
        payload.note if isinstance(payload, CaseDecision | StatusChange) else None)
    lang = contact.language if contact else "sv"
    generic = _GENERIC[lang]
    values = {"reference": contact.reference if contact else message.case_id,
              "case_id": message.case_id,
              "installer": contact.installer if contact else generic["installer"],
              "company": contact.company if contact else generic["company"],
              "grid_owner": contact.grid_owner if contact else generic["grid_owner"],
              "status_label": status.label(lang), "reason": _note_text(note, lang),
              "note": f"\n{_note_text(note, lang)}\n" if note else ""}
    subject, body = _template(status.value, lang, values)
    to = recipient or (contact.email if contact else None)
    notified = None
    if to:
        try:  # a line break from data (a reference) in the subject, say: the mail is wrong
            event = InstallerNotified(recipient=to, status=status, subject=subject,
                                      language=Language(lang), sent_at=sent_at)
        except ValidationError as exc:
            raise _model_error(exc, f"mail for {message.case_id}") from None
        notified = message.derive(NOTIFIED, "notify", event.model_dump(mode="json"), to)
    ids = {"message_id": notified.message_id if notified else
           derived_message_id(message.message_id, NOTIFIED, "preview"),
           "causation_id": message.message_id, "case_id": message.case_id,
           "occurred_at": message.occurred_at.isoformat(), "type": NOTIFIED}
    return Rendered(_compose(sender, to, subject, body, lang, status, ids, sent_at), notified)


def notified_mail(message: Envelope, *, sender: str) -> EmailMessage:
    """The mail an ``installer.notified`` event stands for (names from the event only)."""
    event = parse_payload(message)
    assert isinstance(event, InstallerNotified)
    lang = str(event.language)
    generic = _GENERIC[lang]
    values = {"reference": message.case_id, "case_id": message.case_id,
              "installer": generic["installer"], "company": generic["company"],
              "grid_owner": generic["grid_owner"], "status_label": event.status.label(lang),
              "reason": generic["none"], "note": ""}
    _, body = _template(str(event.status), lang, values)
    ids = {"message_id": message.message_id, "case_id": message.case_id,
           "occurred_at": message.occurred_at.isoformat(), "type": NOTIFIED}
    if message.causation_id:
        ids["causation_id"] = message.causation_id
    sent_at = event.sent_at or message.occurred_at
    return _compose(sender, event.recipient, event.subject, body, lang, event.status, ids,
                    sent_at)


def read(raw: bytes) -> Envelope:
    """A mail -> the ``installer.notified`` event it constitutes."""
    try:
        mail = BytesParser(policy=policy.default).parsebytes(raw)
        ids = {key: mail[f"X-Gridhub-{header}"] for key, header in _ID_HEADERS.items()
               if mail[f"X-Gridhub-{header}"] is not None}
        to = mail["To"]
        if mail["Date"] is None:  # also what an empty or binary document parses to
            raise InvalidMessage("not a gridhub notification mail: it has no Date header",
                                 where="mail: Date")
        fields = {"from": str(mail["From"] or ""),
                  "to": [a.addr_spec for a in to.addresses] if to is not None else [],
                  "subject": str(mail["Subject"] or ""),
                  "date": parsedate_to_datetime(str(mail["Date"])).isoformat(),
                  "message_id": str(mail["Message-ID"] or ""),
                  "language": str(mail["Content-Language"] or ""),
                  "status": str(mail["X-Gridhub-Status"] or ""),
                  "gridhub": {k: str(v) for k, v in ids.items()},
                  "body": mail.get_content().replace("\r\n", "\n"),
                  "preview": not (to is not None and to.addresses)}
    except (TypeError, ValueError, LookupError) as exc:
        raise InvalidMessage(f"not a gridhub notification mail: {exc}", where="mail") from exc
    check(fields, where="mail")
    if fields["preview"]:
        raise InvalidMessage("the mail names no recipient address (a preview rendered "
                             "without the installer's contact)", where="mail: To")
    head = fields["gridhub"]
    # The contract checks shapes; the models check meaning (an Occurred-At without a time
    # zone, say). A ValidationError must not escape: the hub would retry it as transient.
    try:
        event = InstallerNotified(recipient=fields["to"][0], status=fields["status"],
                                  subject=fields["subject"], language=fields["language"],
                                  sent_at=fields["date"])
        return Envelope(message_id=head["message_id"], case_id=head["case_id"],
                        causation_id=head.get("causation_id"), type=NOTIFIED,
                        source="notify", occurred_at=head["occurred_at"],
                        payload=event.model_dump(mode="json"))
    except ValidationError as exc:
        raise _model_error(exc, "mail", "not a gridhub notification mail: ") from None


_ID_HEADERS = {"message_id": "Message-Id", "causation_id": "Causation-Id",
               "case_id": "Case-Id", "occurred_at": "Occurred-At", "type": "Type"}
_HEADER_OF = {**{key: f"X-Gridhub-{header}" for key, header in _ID_HEADERS.items()},
              "recipient": "To", "sent_at": "Date", "language": "Content-Language",
              "status": "X-Gridhub-Status", "subject": "Subject"}


def _model_error(exc: ValidationError, where: str, prefix: str = "") -> InvalidMessage:
    """A model's refusal as the error of the header it stands for (a ValidationError must not
    escape: the hub would retry it as transient)."""
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first["loc"])
    header = _HEADER_OF.get(field, field)
    return InvalidMessage(f"{prefix}{header}: {first['msg']}", where=f"{where}: {header}")


def check(fields: dict[str, Any], *, where: str) -> None:
    """Validate a mail's fields against the published notification contract."""
    errors = sorted(_validator().iter_errors(fields), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        path = ".".join(str(p) for p in first.absolute_path) or "(mail)"
        # An address is personal data: name the rule it breaks, not the value.
        why = (f"is not a valid address ({first.validator})" if path.startswith(("to", "from"))
               else first.message)
        raise InvalidMessage(f"breaks the notify contract: {path}: {why}",
                             where=f"{where}: {path}")


def _compose(sender: str, to: str | None, subject: str, body: str, lang: str,
             status: CaseStatus, ids: dict[str, str], sent_at: datetime) -> EmailMessage:
    domain = sender.rpartition("@")[2].rstrip(">").strip() or "gridhub.invalid"
    fields = {"from": sender, "to": [to] if to else [], "subject": subject,
              "date": sent_at.isoformat(), "message_id": f"<{ids['message_id']}@{domain}>",
              "language": lang, "status": status.value, "gridhub": ids, "body": body,
              "preview": to is None}
    check(fields, where="mail")
    mail = EmailMessage(policy=_POLICY)
    where = f"mail for {ids['case_id']}"
    set_header(mail, "From", sender, where=where)
    set_header(mail, "To", to or Group(f"installer responsible for {ids['case_id']}"),
               where=where)
    set_encoded_header(mail, "Subject", subject, where=where)
    headers = {"Date": format_datetime(sent_at), "Message-ID": str(fields["message_id"]),
               "Auto-Submitted": "auto-generated",  # RFC 3834: no vacation replies, please
               "X-Gridhub-Status": status.value,
               **{f"X-Gridhub-{header}": ids[key] for key, header in _ID_HEADERS.items()
                  if ids.get(key)}}
    for name, value in headers.items():
        set_header(mail, name, value, where=where)
    mail.set_content(body, charset="utf-8", cte="quoted-printable")
    mail["Content-Language"] = lang  # after set_content, which drops Content-* headers
    return mail


def _note_text(note: Note | None, lang: str) -> str:
    if note is None:
        return _GENERIC[lang]["none"]
    if note.internal:
        return _GENERIC[lang]["internal"]
    return f"{note.subject}\n{note.text}"


def _template(status: str, lang: str, values: dict[str, str]) -> tuple[str, str]:
    text = _load_template(status, lang)
    first, _, body = text.partition("\n")
    if not first.startswith("Subject: "):
        raise ConfigurationError("a template starts with 'Subject: ...'",
                                 where=str(TEMPLATES / f"{status}.{lang}.txt"))
    try:
        subject = string.Template(first.removeprefix("Subject: ")).substitute(values)
        return subject.strip(), string.Template(body).substitute(values)
    except (KeyError, ValueError) as exc:
        raise ConfigurationError(f"template placeholder {exc} is unknown",
                                 where=str(TEMPLATES / f"{status}.{lang}.txt")) from exc


@lru_cache(maxsize=32)
def _load_template(status: str, lang: str) -> str:
    path = TEMPLATES / f"{status}.{lang}.txt"
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"no template for status {status} in language {lang}",
                                 where=str(path)) from exc


@lru_cache(maxsize=1)
def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)
