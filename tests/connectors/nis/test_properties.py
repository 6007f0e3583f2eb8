"""Property-based: canonical -> NIS XML -> canonical keeps everything the NIS contract carries
(and loses exactly what it does not), and no byte string crashes the reader."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from connectors.nis.connector import NisConnector
from hub.errors import InvalidMessage
from tests.factories import envelope, grid_data, gsrn, swedish_case
from tests.support.roundtrip import FAST, cases, round_trip

# The NIS answers grid data only; billing and project fields are the grid owner's, not NIS's.
NOT_CARRIED = {"griddata.answered": {"bill_customer", "connection_fee", "currency",
                                     "documentation", "project_number"}}
word = st.text("ABCDEFGHJKLMNPRSTUVXYZÅÄÖØÆabcdefghijklmnopqrsåäöøæ0123456789-/ ", min_size=1,
               max_size=30).map(str.strip).filter(bool)


def _trip(original):
    return round_trip(NisConnector, "nis", original, NOT_CARRIED)


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
