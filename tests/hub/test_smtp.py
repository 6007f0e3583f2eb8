"""SMTP failures classified once for every sender of mail (hub.smtp); the notify and access
tests drive the same function through a real SMTP server on loopback."""

import smtplib

from hub.errors import TargetRejected, TargetServerError, TargetTimeout, TargetUnavailable
from hub.smtp import smtp_error

WHERE = "smtp mail.example:587"


def test_a_permanent_refusal_of_any_recipient_decides() -> None:
    refused = smtplib.SMTPRecipientsRefused({"a@x.se": (451, b"try later"),
                                             "b@x.se": (550, b"no such user")})
    error = smtp_error(refused, where=WHERE, timeout=10)
    assert isinstance(error, TargetRejected) and error.remote is not None
    assert error.remote.status == "550" and "no such user" in error.message


def test_replies_time_outs_and_sockets_map_to_retry_or_not() -> None:
    cases = [(smtplib.SMTPResponseException(421, b"busy"), TargetServerError),
             (smtplib.SMTPAuthenticationError(535, b"bad login"), TargetRejected),
             (smtplib.SMTPNotSupportedError("STARTTLS extension not supported"), TargetRejected),
             (TimeoutError("timed out"), TargetTimeout),
             (ConnectionRefusedError(111, "Connection refused"), TargetUnavailable),
             (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
              TargetUnavailable)]
    for exc, kind in cases:
        error = smtp_error(exc, where=WHERE, timeout=10)
        assert isinstance(error, kind), (exc, error)
        assert error.where == WHERE
