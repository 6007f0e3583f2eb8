"""Property-based: canonical -> SOAP -> canonical is identity for every elsmart message, free
text survives (or is refused as InvalidMessage), and no byte string crashes the reader."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from connectors.elsmart import ElsmartConnector
from connectors.elsmart.wire import OUTBOUND, ElsmartWire
from hub.errors import InvalidMessage
from schemas.payloads import parse_payload
from tests.factories import T0, envelope, note, swedish_case
from tests.support.roundtrip import FAST, cases

TYPES = sorted(ElsmartWire.load().mapping.documents)
# Text the contract can carry: any character XML 1.0 allows, trimmed (the wire trims).
xml_text = st.text(st.characters(blacklist_categories=("Cs", "Cc"),
                                 blacklist_characters="\ufffe\uffff"),
                   min_size=1, max_size=80).map(str.strip).filter(bool)


def _assert_identity(original, back) -> None:
    assert (back.message_id, back.case_id, back.type) == (original.message_id,
                                                          original.case_id, original.type)
    assert back.occurred_at == original.occurred_at
    assert back.payload == parse_payload(original).model_dump(mode="json")
    direction = ElsmartWire.load().direction(original.type)
    assert back.source == ("hub" if direction == OUTBOUND else "elsmart")


@FAST
@given(type_=st.sampled_from(TYPES), case=cases, minutes=st.integers(0, 10**6))
def test_every_message_round_trips(type_, case, minutes):
    original = envelope(type_, case, step=minutes)
    [back] = ElsmartConnector.to_canonical(ElsmartConnector.to_wire(original))
    _assert_identity(original, back)


@FAST
@given(subject=xml_text, text=xml_text, author=xml_text, seconds=st.integers(0, 10**8))
def test_free_text_in_a_note_round_trips(subject, text, author, seconds):
    payload = {"note": note(subject, text, author=author,
                            at=T0 + timedelta(seconds=seconds)).model_dump(mode="json")}
    original = envelope("case.note.added", swedish_case(), payload=payload)
    [back] = ElsmartConnector.to_canonical(ElsmartConnector.to_wire(original))
    _assert_identity(original, back)


@FAST
@given(text=st.text(min_size=1, max_size=40))
def test_any_text_round_trips_or_is_refused_as_invalid(text):
    """Control characters cannot travel in XML 1.0: refused by name, never a crash."""
    payload = {"reason": text}
    try:
        original = envelope("case.deletion.requested", swedish_case(), payload=payload)
        wire = ElsmartConnector.to_wire(original)
    except InvalidMessage:
        return
    [back] = ElsmartConnector.to_canonical(wire)
    assert back.payload["reason"] == parse_payload(original).model_dump(mode="json")["reason"]


@FAST
@given(data=st.binary(max_size=400))
def test_random_bytes_never_crash_the_reader(data):
    try:
        ElsmartConnector.to_canonical(data)
    except InvalidMessage as exc:
        assert exc.where


xml_trees = st.recursive(
    st.builds(lambda tag, text: f"<{tag}>{text}</{tag}>",
              st.sampled_from(["e:SubmitNotification", "e:AddNote", "e:CaseRef", "e:Note",
                               "x", "s:Body", "e:Facility"]),
              st.text("abc<>&;0123 ", max_size=8)),
    lambda children: st.builds(lambda tag, kids: f"<{tag}>{''.join(kids)}</{tag}>",
                               st.sampled_from(["e:AddNote", "s:Body", "e:Note", "y"]),
                               st.lists(children, max_size=3)),
    max_leaves=6)


@FAST
@given(inner=xml_trees)
def test_random_xml_never_crashes_the_reader(inner):
    document = ('<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
                f'xmlns:e="urn:gridhub:elsmart:v1"><s:Body>{inner}</s:Body></s:Envelope>')
    try:
        ElsmartConnector.to_canonical(document.encode())
    except InvalidMessage as exc:
        assert exc.where and exc.message


def test_a_text_with_a_control_character_names_the_field():
    payload = {"reason": "Fel\x07typ"}
    original = envelope("case.deletion.requested", swedish_case(), payload=payload)
    try:
        ElsmartConnector.to_wire(original)
    except InvalidMessage as exc:
        assert "reason" in str(exc)
    else:
        raise AssertionError("a BEL character was written into XML")
