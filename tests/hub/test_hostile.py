"""Hostile messages on the hub's inbound exchange: each is dead-lettered (or skipped as a
duplicate) with its reason, nothing crashes, and a good message after them is delivered.

A real hub on the embedded broker and on RabbitMQ; the hostile bodies go straight onto the
broker as a misbehaving system would put them there.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings as examples
from hypothesis import strategies as st
from kombu import Exchange, Producer

from hub import soap
from hub.codec import MAX_BODY_BYTES, decode, encode
from hub.errors import InvalidMessage, TargetRejected, TargetServerError
from hub.transports import connection_for
from hub.xmlsafe import parse
from tests.factories import envelope, swedish_case
from tests.support.hubrun import routes_yaml, running_hub, settings_for, wait_until
from tests.support.sink import Sink

ROUTES = """\
  - name: cases-to-alpha
    match: {type: [case.submitted, case.note.added, case.completion.approved]}
    to: [alpha]
    retry: fast
"""


def _publish_raw(settings: Any, ns: str, bodies: list[bytes]) -> None:
    with connection_for(settings.broker_url) as conn:
        producer = Producer(conn.channel())
        for body in bodies:
            producer.publish(body, exchange=Exchange(f"{ns}.in", "direct"), routing_key="hub",
                             content_type="application/json", content_encoding="utf-8",
                             delivery_mode=2)


def _json(message: Any, **changes: Any) -> bytes:
    doc = json.loads(encode(message))
    doc.update(changes)
    return json.dumps(doc).encode()


def _delivered(sink: Sink) -> list[tuple[str, str]]:
    """(case id, type) of each delivery: the hub gives every hop its own message id."""
    return [(doc["case_id"], doc["type"]) for doc in sink.docs()]


def test_broken_bodies_are_dead_lettered_and_the_next_good_message_flows(broker, tmp_path):
    url, ns = broker
    base = envelope("case.submitted", swedish_case(21))
    hostile = {
        "poison": b"{this is not json",
        "not an object": b'["case.submitted"]',
        "wrong types": _json(base, message_id="wt-1", schema_version="one", occurred_at=17),
        "extra field": _json(base, message_id="ef-1", priority="urgent"),
        "unknown type": _json(base, message_id="ut-1", type="case.teleported"),
        "oversized": _json(base, message_id="big-1", payload={"blob": "x" * MAX_BODY_BYTES}),
    }
    with Sink() as alpha:
        settings = settings_for(tmp_path, url, ns, routes_yaml({"alpha": alpha.url}, ROUTES))
        good = envelope("case.submitted", swedish_case(22))
        with running_hub(settings) as hub:
            _publish_raw(settings, ns, list(hostile.values()))
            hub.inbound.publish([good])
            wait_until(lambda: _delivered(alpha) == [(good.case_id, good.type)],
                       what="the good message")
            wait_until(lambda: len(hub.store.dead_letters(connector="hub")) == len(hostile),
                       what=f"{len(hostile)} dead letters")
            letters = hub.store.dead_letters(connector="hub")
    by_body = {dl.body: dl for dl in letters}
    assert set(by_body) == set(hostile.values())
    expected = {"poison": "json", "not an object": "envelope", "wrong types": "schema_version",
                "extra field": "priority", "unknown type": "case.teleported",
                "oversized": "more than the limit"}
    for name, body in hostile.items():
        dl = by_body[body]
        assert dl.exception_type == "InvalidMessage", (name, dl.exception_type)
        assert expected[name] in dl.exception_message.lower() + (dl.where or ""), \
            (name, dl.exception_message)
    assert "extra" in by_body[hostile["extra field"]].exception_message.lower()
    assert by_body[hostile["wrong types"]].where == "envelope"
    assert by_body[hostile["oversized"]].where == "body"


def test_case_logic_violations_are_dead_lettered_and_a_replay_is_applied_once(broker, tmp_path):
    url, ns = broker
    case = swedish_case(23)
    submitted = envelope("case.submitted", case)
    impossible = envelope("case.completion.approved", case, step=1)  # not from submitted
    orphan = envelope("case.note.added", swedish_case(24), step=1)  # case SE-1024 never exists
    bad_gsrn = json.loads(encode(envelope("case.submitted", swedish_case(25))))
    gsrn = bad_gsrn["payload"]["facilities"][0]["facility_id"]
    bad_gsrn["payload"]["facilities"][0]["facility_id"] = gsrn[:-1] + str((int(gsrn[-1]) + 1) % 10)
    bad_body = json.dumps(bad_gsrn).encode()
    note = envelope("case.note.added", case, step=2)
    with Sink() as alpha:
        settings = settings_for(tmp_path, url, ns, routes_yaml({"alpha": alpha.url}, ROUTES))
        with running_hub(settings) as hub:
            hub.inbound.publish([submitted])
            hub.inbound.publish([submitted])  # replayed message id: applied once
            hub.inbound.publish([impossible, orphan])
            _publish_raw(settings, ns, [bad_body])
            hub.inbound.publish([note])
            wait_until(lambda: len(alpha.docs()) == 2,
                       what="the submission and the note after the hostile messages")
            wait_until(lambda: len(hub.store.dead_letters(connector="hub")) == 3,
                       what="three dead letters")
            letters = {dl.message_id: dl for dl in hub.store.dead_letters(connector="hub")}
            duplicates = [t for t in hub.store.trace(case.case_id) if t.hop == "duplicate"]
            status = hub.store.case(case.case_id).status
    # the replay was not delivered again, the impossible and orphan messages not at all
    assert _delivered(alpha) == [(case.case_id, "case.submitted"),
                                 (case.case_id, "case.note.added")]
    assert duplicates and status == "submitted"  # the impossible one did not apply
    assert letters[impossible.message_id].exception_type == "ImpossibleTransition"
    assert "submitted" in letters[impossible.message_id].exception_message
    assert letters[orphan.message_id].exception_type == "InvalidMessage"
    assert "no case 'SE-1024'" in letters[orphan.message_id].exception_message
    [gsrn_letter] = [dl for mid, dl in letters.items() if mid == bad_gsrn["message_id"]]
    assert gsrn_letter.exception_type == "InvalidMessage"
    assert "check digit" in gsrn_letter.exception_message
    assert "facilities.0.facility_id" in (gsrn_letter.where or "") + gsrn_letter.exception_message
    assert gsrn not in gsrn_letter.exception_message  # the identifier is not echoed in clear


FAST = examples(max_examples=80, deadline=None)
xmlish = st.lists(st.sampled_from([
    "<", ">", "</", "/>", "<!DOCTYPE x>", "<!ENTITY a 'b'>", "&a;", "&amp;", "<![CDATA[", "]]>",
    "<?xml version='1.0'?>", "<s:Envelope xmlns:s='http://schemas.xmlsoap.org/soap/envelope/'>",
    "<s:Body>", "<s:Fault>", "<faultcode>s:Server</faultcode>", "x", "\u00e5", "\x00"]),
    max_size=12).map("".join)


@FAST
@given(data=st.binary(max_size=300) | xmlish.map(lambda s: s.encode("utf-8", "replace")))
def test_random_input_never_crashes_the_shared_parsers(data):
    """xmlsafe, soap and the envelope codec raise only our errors, whatever they are given."""
    for read in (parse, soap.body_of, decode):
        with pytest.raises(InvalidMessage) if read is decode else _maybe(InvalidMessage):
            read(data)
    try:
        soap.raise_for_fault(data, where="test")
    except (TargetRejected, TargetServerError) as exc:
        assert exc.remote is not None and len(exc.remote.body_excerpt or "") <= 2048


class _maybe:
    """Like pytest.raises, but passing when nothing is raised."""

    def __init__(self, allowed: type[BaseException]) -> None:
        self.allowed = allowed

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, exc, tb) -> bool:
        return kind is None or issubclass(kind, self.allowed)
