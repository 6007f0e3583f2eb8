"""Rendering and reading the installer mail, without I/O."""

from __future__ import annotations

from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser

import pytest

from connectors.notify import NotifyConnector
from connectors.notify.contacts import Contact
from connectors.notify.mail import check, status_mail
from hub.errors import InvalidMessage
from tests.connectors.notify.conftest import SENDER
from tests.factories import envelope, norwegian_case, note, swedish_case

SENT = datetime(2024, 3, 20, 9, 15, tzinfo=UTC)


def _parse(raw: bytes):
    return BytesParser(policy=policy.default).parsebytes(raw)


def _rendered(type_, case, **payload):
    message = envelope(type_, case, payload=payload or None)
    return message, status_mail(message, Contact.from_case(case), sender=SENDER, sent_at=SENT)


def test_swedish_rejection_carries_reference_reason_and_status():
    message, rendered = _rendered("case.rejected", swedish_case())
    mail = _parse(rendered.mail.as_bytes())
    body = mail.get_content()
    assert mail["To"] == "erik.johansson@bollerud-elektro.se"
    assert mail["Subject"] == "Föranmälan MEE9541 har avvisats"
    assert mail["Content-Language"] == "sv"
    assert "Hej Erik Johansson," in body
    assert "Situationsplan saknas." in body
    assert "Ny status: Avvisad föranmälan." in body
    assert "Bollérud Elektro AB" in body
    assert mail["X-Gridhub-Causation-Id"] == message.message_id
    assert mail["X-Gridhub-Message-Id"] == rendered.notified.message_id


def test_norwegian_installer_gets_norwegian_mail():
    _, rendered = _rendered("case.completion.rejected", norwegian_case())
    mail = _parse(rendered.mail.as_bytes())
    assert mail["Subject"] == "Ferdigmelding SNS4400 er avvist"
    assert "Begrunnelse:" in mail.get_content()
    assert "Avvist ferdigmelding" in mail.get_content()
    assert rendered.notified.payload["language"] == "nb"


def test_internal_reason_note_is_never_mailed():
    reason = note("Intern bedömning", "Kunden har skulder hos oss", internal=True)
    _, rendered = _rendered("case.rejected", swedish_case(),
                            reason=reason.model_dump(mode="json"))
    body = _parse(rendered.mail.as_bytes()).get_content()
    assert "skulder" not in body
    assert "Se noteringen i ärendet i portalen." in body


def test_approval_mail_without_note_points_to_grid_data():
    _, rendered = _rendered("case.approved", swedish_case())
    mail = _parse(rendered.mail.as_bytes())
    assert mail["Subject"] == "Installationsmedgivande för ärende MEE9541"
    assert "Installationsmedgivande med nätuppgifter" in mail.get_content()


def test_sent_mail_reads_back_as_the_notified_event():
    _, rendered = _rendered("case.rejected", swedish_case())
    [back] = NotifyConnector.to_canonical(rendered.mail.as_bytes())
    assert back == rendered.notified
    assert back.payload["sent_at"] == "2024-03-20T09:15:00Z"


def test_notified_event_round_trips_through_to_wire():
    event = envelope("installer.notified", swedish_case(),
                     payload={"recipient": "ola@elisor-elektro.no", "status": "completion_rejected",
                              "subject": "Ferdigmelding SNS4400 er avvist", "language": "nb",
                              "sent_at": "2024-03-20T09:15:00Z"},
                     causation_id="0d7d5f0e-9e0b-4f0b-8a53-3c2c1b1f3f11")
    [back] = NotifyConnector.to_canonical(NotifyConnector.to_wire(event))
    assert back == event


def test_status_message_to_wire_is_a_preview_without_recipient():
    raw = NotifyConnector.to_wire(envelope("case.rejected", swedish_case()))
    mail = _parse(raw)
    assert mail["To"].addresses == ()
    assert "Situationsplan saknas." in mail.get_content()
    with pytest.raises(InvalidMessage, match="no recipient address"):
        NotifyConnector.to_canonical(raw)


def test_to_wire_refuses_what_notify_does_not_mail():
    with pytest.raises(InvalidMessage, match=r"notify mails no case\.archived"):
        NotifyConnector.to_wire(envelope("case.archived", swedish_case()))


def test_reading_a_foreign_mail_names_what_is_missing():
    foreign = (b"From: someone@example.se\r\nTo: erik@example.se\r\nSubject: hej\r\n"
               b"Date: Wed, 20 Mar 2024 09:15:00 +0000\r\n\r\nhej\r\n")
    with pytest.raises(InvalidMessage, match="notify contract"):
        NotifyConnector.to_canonical(foreign)


def test_contract_check_names_field_but_not_the_address():
    fields = {"from": SENDER, "to": ["not-an-address"], "subject": "x",
              "date": SENT.isoformat(), "message_id": "<a@b>", "language": "sv",
              "status": "approved", "body": "x", "preview": False,
              "gridhub": {"message_id": "m", "case_id": "c", "occurred_at": SENT.isoformat(),
                          "type": "installer.notified"}}
    with pytest.raises(InvalidMessage) as info:
        check(fields, where="mail")
    assert info.value.where == "mail: to.0"
    assert "not-an-address" not in str(info.value)
    with pytest.raises(InvalidMessage, match="status"):
        check({**fields, "to": ["a@b.se"], "status": "archived"}, where="mail")
