"""Property-based: an ``installer.notified`` event -> RFC 5322 mail -> event is identity for
everything the notify contract carries, and no byte string crashes the mail reader."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import example, given
from hypothesis import strategies as st

from connectors.notify.connector import NotifyConnector
from hub.errors import InvalidMessage
from schemas.payloads import parse_payload
from tests.factories import T0, envelope
from tests.support.roundtrip import FAST

local = st.text("abcdefghijklmnopqrstuvwxyz0123456789._-", min_size=1, max_size=20).filter(
    lambda s: s[0] not in "._-" and s[-1] not in "._-" and ".." not in s)
domain = st.sampled_from(["bollerud-elektro.se", "elisor.no", "helsingborgsnat.se",
                         "ab.example.com"])
addresses = st.builds(lambda a, d: f"{a}@{d}", local, domain)
# A subject is one line of human text: letters (Nordic too), digits, punctuation, single spaces.
subjects = st.lists(st.text("abcdefghijklmnopqrstuvwxyzåäöæøABCDÅÄÖÆØ0123456789-:,.()!?",
                            min_size=1, max_size=12), min_size=1, max_size=8).map(" ".join)


@FAST
@example(recipient="a@elisor.no", status="approved", language="sv", sent=None, micros=0,
         case_id="SE-1000", caused=False,  # folded between two encoded words: space kept
         subject="0ÄÄ 00000Ä 00000000000 000000000000 Ä Ä")
@given(recipient=addresses, status=st.sampled_from(["approved", "pre_rejected",
                                                    "completion_rejected"]),
       subject=subjects, language=st.sampled_from(["sv", "nb"]),
       sent=st.none() | st.integers(0, 10**8), micros=st.integers(0, 999_999),
       case_id=st.sampled_from(["SE-1000", "NO-2002", "MEE9541"]), caused=st.booleans())
def test_notification_round_trips(recipient, status, subject, language, sent, micros, case_id,
                                  caused):
    at = T0 + timedelta(minutes=micros % 5000, microseconds=micros)
    payload = {"recipient": recipient, "status": status, "subject": subject,
               "language": language,
               "sent_at": None if sent is None else (T0 + timedelta(seconds=sent)).isoformat()}
    original = envelope("installer.notified", case_id=case_id, payload=payload, occurred_at=at,
                        causation_id="c-4711" if caused else None)
    [back] = NotifyConnector.to_canonical(NotifyConnector.to_wire(original))
    assert (back.message_id, back.case_id, back.type, back.causation_id, back.occurred_at) == (
        original.message_id, original.case_id, original.type, original.causation_id,
        original.occurred_at)
    expected = parse_payload(original).model_dump(mode="json")
    if sent is None:  # the mail's Date is when it was sent: the event time, to the second
        expected["sent_at"] = at.replace(microsecond=0).isoformat().replace("+00:00", "Z")
    assert back.payload == expected


@FAST
@given(data=st.binary(max_size=600))
def test_random_bytes_never_crash_the_mail_reader(data):
    try:
        NotifyConnector.to_canonical(data)
    except InvalidMessage as exc:
        assert exc.where


GOOD = NotifyConnector.to_wire(envelope("installer.notified"))
LINES = GOOD.split(b"\n")


@FAST
@given(drop=st.sets(st.integers(0, len(LINES) - 1), max_size=4),
       junk=st.lists(st.tuples(st.integers(0, len(LINES) - 1), st.binary(max_size=30)),
                     max_size=3))
def test_mangled_mails_never_crash_the_reader(drop, junk):
    lines = [line for i, line in enumerate(LINES) if i not in drop]
    for index, data in junk:
        lines.insert(min(index, len(lines)), data)
    try:
        NotifyConnector.to_canonical(b"\n".join(lines))
    except InvalidMessage as exc:
        assert exc.where and exc.where.startswith("mail")
