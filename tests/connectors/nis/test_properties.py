"""Property-based: canonical -> NIS XML -> canonical keeps everything the NIS contract carries
(and loses exactly what it does not), and no byte string crashes the reader."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.nis.connector import NisConnector
from hub.errors import InvalidMessage
from schemas.payloads import parse_payload
from tests.factories import block_case, envelope, grid_data, gsrn, norwegian_case, swedish_case

FAST = settings(max_examples=60, deadline=None)
cases = st.one_of(st.builds(swedish_case, st.integers(0, 500)),
                  st.builds(norwegian_case, st.integers(0, 500)),
                  st.builds(block_case, st.integers(2, 5), st.integers(0, 50)))
# The NIS answers grid data only; billing and project fields are the grid owner's, not NIS's.
NOT_CARRIED = {"griddata.answered": {"bill_customer", "connection_fee", "currency",
                                     "documentation", "project_number"}}
word = st.text("ABCDEFGHJKLMNPRSTUVXYZÅÄÖØÆabcdefghijklmnopqrsåäöøæ0123456789-/ ", min_size=1,
               max_size=30).map(str.strip).filter(bool)


def flat(value: Any, prefix: str = "") -> dict[str, Any]:
    """{"a": {"b": [1]}} -> {"a.b.0": 1}: leaf paths, to compare what a trip kept."""
    if isinstance(value, dict):
        return {k: v for key, item in value.items()
                for k, v in flat(item, f"{prefix}{key}.").items()}
    if isinstance(value, list):
        return {k: v for i, item in enumerate(value)
                for k, v in flat(item, f"{prefix}{i}.").items()}
    return {prefix[:-1]: value}


def _trip(original):
    [back] = NisConnector.to_canonical(NisConnector.to_wire(original))
    assert (back.case_id, back.type, back.source) == (original.case_id, original.type, "nis")
    expected = flat(parse_payload(original).model_dump(mode="json"))
    got = flat(back.payload)
    lost = {k for k in set(expected) | set(got) if expected.get(k) != got.get(k)}
    assert lost <= NOT_CARRIED.get(original.type, set()), lost
    return back


@FAST
@given(type_=st.sampled_from(["griddata.requested", "griddata.answered",
                              "installation.registered"]), case=cases)
def test_every_nis_message_round_trips(type_, case):
    original = envelope(type_, case)
    back = _trip(original)
    if type_ != "griddata.answered":  # an answer carries no message id: derived from content
        assert back.message_id == original.message_id


@FAST
@given(seed=st.integers(0, 10**6), country=st.sampled_from(["SE", "NO"]),
       meter=st.none() | word, technical=st.none() | word, substation=st.none() | word)
def test_installation_registration_round_trips(seed, country, meter, technical, substation):
    payload = {"facility_id": gsrn(seed, country), "meter_number": meter,
               "technical_number": technical, "substation": substation}
    original = envelope("installation.registered", swedish_case(), payload=payload)
    assert _trip(original).message_id == original.message_id


@FAST
@given(approved=st.booleans(), info=st.none() | word, signature=word,
       cables=st.none() | st.integers(1, 99),
       impedance=st.none() | st.decimals(0, 5000, places=1, allow_nan=False))
def test_grid_answers_round_trip(approved, info, signature, cables, impedance):
    data = grid_data(approved=approved).model_dump(mode="json")
    data.update(info=info, signature=signature, cable_count=cables,
                earth_fault_impedance_mohm=None if impedance is None else str(impedance))
    _trip(envelope("griddata.answered", swedish_case(), payload=data))


@FAST
@given(data=st.binary(max_size=400))
def test_random_bytes_never_crash_the_reader(data):
    try:
        NisConnector.to_canonical(data)
    except InvalidMessage as exc:
        assert exc.where


@FAST
@given(root=st.sampled_from(["GridDataRequest", "GridDataResponse", "InstallationRegistration",
                             "Error", "Other"]),
       children=st.lists(st.sampled_from(["<n:CaseRef>SE-1</n:CaseRef>", "<n:MessageId/>",
                                          "<n:FacilityId>735999</n:FacilityId>",
                                          "<n:Decision>maybe</n:Decision>", "&amp;", "text"]),
                         max_size=5))
def test_random_nis_shaped_xml_never_crashes_the_reader(root, children):
    document = f'<n:{root} xmlns:n="urn:gridhub:nis:v1">{"".join(children)}</n:{root}>'
    try:
        NisConnector.to_canonical(document.encode())
    except InvalidMessage as exc:
        assert exc.where and exc.message
