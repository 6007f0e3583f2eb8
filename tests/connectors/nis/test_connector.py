"""The nis connector against its simulator over real sockets: operations and failure classes."""


import pytest

from connectors.nis import NisConnector
from connectors.nis.simulator import NisSimulator
from hub.errors import (
    ConfigurationError,
    InvalidMessage,
    TargetRejected,
    TargetServerError,
    TargetTimeout,
    TargetUnavailable,
)
from schemas.case import GridData
from tests.connectors.nis.conftest import PASSWORD, NoInbound
from tests.factories import envelope, gsrn, swedish_case

ADDRESS = {"street": "Rönnvägen 3", "postcode": "25270", "town": "Helsingborg"}


def _ask(**payload):
    return envelope("griddata.requested", swedish_case(), payload=payload)


def test_grid_data_for_a_known_facility(connector):
    request = _ask(facility_id=gsrn(0).reveal())
    [answer] = connector.deliver(request)
    data = GridData.model_validate(answer.payload)
    assert answer.type == "griddata.answered" and answer.source == "nis"
    assert answer.causation_id == request.message_id and answer.case_id == "SE-1000"
    assert data.service.substation == "T114" and data.service.laying == "ground_cable"
    assert data.service.earthing == "TN-C" and data.service.phases == 3
    assert data.cable_type and data.cable_count and data.cable_dimension_mm2
    assert data.earth_fault_impedance_mohm > 0 and data.short_circuit_current_ka > 0
    assert data.distance_m > 0
    assert data.service_fuse.rating.endswith(" A") and data.service_line_fuse.placement
    assert data.decision == "approved" and str(data.decided_on) == "2024-03-20"


def test_answers_are_deterministic_per_facility_and_address(connector):
    for payload in ({"facility_id": gsrn(2).reveal()}, {"address": ADDRESS}):
        first = connector.deliver(_ask(**payload))[0].payload
        again = connector.deliver(_ask(**payload))[0].payload
        assert first == again


def test_an_address_is_fed_from_its_postcode_area(connector):
    payload = connector.deliver(_ask(address=ADDRESS))[0].payload
    assert payload["service"]["substation"] == "T117"  # 2527x


def test_meter_number_finds_the_facility(connector):
    by_meter = connector.deliver(_ask(meter_number=str(7350000 + 5 * 13)))[0].payload
    by_id = connector.deliver(_ask(facility_id=gsrn(5).reveal()))[0].payload
    assert by_meter["service"]["substation"] == by_id["service"]["substation"] == "T119"


def test_a_big_main_fuse_is_assessed_not_connectable(connector):
    payload = connector.deliver(_ask(substation="T120", main_fuse_a=400))[0].payload
    assert payload["decision"] == "rejected"
    assert "nätförstärkning" in payload["info"]


def test_unknown_facility_without_address_is_permanent_with_the_nis_code(connector):
    with pytest.raises(TargetRejected) as info:
        connector.deliver(_ask(facility_id=gsrn(9999).reveal()))
    assert info.value.remote.status == "404"
    assert info.value.remote.details == {"nis_code": "OKAND_ANLAGGNING"}


def test_register_installation_once(connector, nis_sim):
    message = envelope("installation.registered", swedish_case())
    assert connector.deliver(message) == []
    assert connector.deliver(message) == []  # REDAN_REGISTRERAD is fine
    assert list(nis_sim.state.installations) == [gsrn(0).reveal()]
    assert nis_sim.state.installations[gsrn(0).reveal()]["object_id"] == "NIS-000001"


def test_register_on_unknown_substation_is_rejected(connector):
    message = envelope("installation.registered",
                       payload={"facility_id": gsrn(1).reveal(), "substation": "T999"})
    with pytest.raises(TargetRejected, match="OKAND_NATSTATION"):
        connector.deliver(message)


def test_a_type_nis_does_not_take_is_permanent(connector):
    with pytest.raises(InvalidMessage, match=r"not case\.approved"):
        connector.deliver(envelope("case.approved"))


# -- failure classes --------------------------------------------------------------------------

def test_5xx_is_transient_and_keeps_the_error_document(connector, nis_sim):
    nis_sim.fail("5xx")
    with pytest.raises(TargetServerError) as info:
        connector.deliver(_ask(substation="T114"))
    assert info.value.remote.status == "503"
    assert info.value.remote.details == {"nis_code": "TILLFALLIGT_FEL"}
    assert "TILLFALLIGT_FEL" in info.value.remote.body_excerpt


def test_4xx_is_permanent(connector, nis_sim):
    nis_sim.fail("reject")
    with pytest.raises(TargetRejected) as info:
        connector.deliver(_ask(substation="T114"))
    assert info.value.remote.status == "422"


@pytest.mark.parametrize("type_", ["griddata.requested", "installation.registered"])
def test_an_answer_breaking_the_xsd_is_permanent_and_names_the_element(connector, nis_sim,
                                                                       type_):
    nis_sim.fail("soap-fault")
    message = (_ask(substation="T114") if type_ == "griddata.requested"
               else envelope(type_, swedish_case()))
    with pytest.raises(InvalidMessage) as info:
        connector.deliver(message)
    assert "Debug" in str(info.value) and "not expected" in str(info.value)


def test_a_dropped_connection_is_transient(connector, nis_sim):
    nis_sim.fail("down")
    with pytest.raises(TargetUnavailable):
        connector.deliver(_ask(substation="T114"))


def test_slow_nis_times_out_within_the_time_out(connector, nis_sim):
    nis_sim.fail("slow")
    with pytest.raises(TargetTimeout):
        connector.deliver(_ask(substation="T114"))


def test_refused_connection_is_transient_and_unreachable():
    sim = NisSimulator(password=PASSWORD).start()
    connector = NisConnector({"url": sim.endpoint, "timeout": 0.5}, NoInbound())
    sim.stop()
    assert connector.reachable() is False
    with pytest.raises(TargetUnavailable):
        connector.deliver(_ask(substation="T114"))


def test_wrong_credentials_are_permanent(make_connector):
    with pytest.raises(TargetRejected) as info:
        make_connector(password="wrong").deliver(_ask(substation="T114"))
    assert info.value.remote.status == "401"


def test_a_wrong_resource_path_is_permanent(make_connector, nis_sim):
    with pytest.raises(TargetRejected) as info:
        make_connector(url=nis_sim.url + "/other").deliver(_ask(substation="T114"))
    assert info.value.remote.details == {"nis_code": "OKAND_RESURS"}


def test_reachable_while_up(connector):
    assert connector.reachable() is True


@pytest.mark.parametrize(("settings", "where"), [
    ({"url": "nis.local"}, "settings.url"),
    ({"url": "http://127.0.0.1:1", "timeout": 0}, "settings.timeout"),
    ({"url": "http://127.0.0.1:1", "timeout": "x"}, "settings.timeout"),
])
def test_bad_settings_are_configuration_errors(settings, where):
    with pytest.raises(ConfigurationError) as info:
        NisConnector(settings, NoInbound())
    assert where in str(info.value)
