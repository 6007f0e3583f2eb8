"""Mail headers are written only through the email package's header API; a value from data that
cannot be a header is a permanent error naming the header, and an SMTP-side header error too
(issue 13, item 13)."""

from __future__ import annotations

import ssl
from email import policy
from email.errors import HeaderParseError
from email.message import EmailMessage
from email.parser import BytesParser

import pytest

from hub.errors import InvalidMessage, TargetUnavailable
from hub.smtp import smtp_error
from hub.toolkit import set_encoded_header, set_header


@pytest.mark.parametrize("value", ["MEE9541\nBcc: a@example.com", "x\r\n\r\nbody", "a\x00b",
                                   "Ä\nBcc: x", "ok\u2028Bcc: x"])
@pytest.mark.parametrize("setter", [set_header, set_encoded_header])
def test_a_line_break_never_becomes_a_header(setter, value):
    mail = EmailMessage()
    with pytest.raises(InvalidMessage) as info:
        setter(mail, "Subject", value, where="mail for SE-1")
    assert info.value.where == "mail for SE-1: Subject"
    assert "Bcc" not in info.value.message and mail["Subject"] is None


def test_a_good_non_ascii_subject_reads_back_whole():
    mail = EmailMessage(policy=policy.SMTP.clone(refold_source="none"))
    subject = "Ä Ä " * 30 + "ärende MEE9541"
    set_encoded_header(mail, "Subject", subject, where="m")
    set_header(mail, "To", "erik@example.se", where="m")
    mail.set_content("hej")
    back = BytesParser(policy=policy.default).parsebytes(mail.as_bytes())
    assert str(back["Subject"]) == subject and back["Bcc"] is None


@pytest.mark.parametrize("exc", [ValueError("bad header"), HeaderParseError("embedded"),
                                 UnicodeEncodeError("ascii", "ä", 0, 1, "no")])
def test_an_smtp_side_header_error_is_permanent(exc):
    assert type(smtp_error(exc, where="smtp h:25", timeout=1)) is InvalidMessage


def test_a_certificate_error_stays_the_servers_side():
    exc = ssl.SSLCertVerificationError("certificate verify failed")
    assert type(smtp_error(exc, where="smtp h:25", timeout=1)) is TargetUnavailable
