"""Log masking: personal data never reaches the log output unmasked."""

import json
import logging

import pytest
import structlog
from structlog.testing import capture_logs

from hub.errors import ConfigurationError
from hub.logs import configure_logging, mask_personal_data
from schemas.identifier_samples import make_fodselsnummer, make_orgnummer, make_personnummer
from schemas.masking import mask_personal_numbers
from tests.factories import gsrn, swedish_case

PNR = make_personnummer(4)
PNR_LONG = make_personnummer(4, long_form=True)
FNR = make_fodselsnummer(4)
ORG = make_orgnummer(4)


@pytest.fixture(autouse=True)
def _reset_structlog():
    import sys
    import threading

    hooks = sys.excepthook, threading.excepthook  # configure_logging(json=True) sets both
    yield
    sys.excepthook, threading.excepthook = hooks
    structlog.reset_defaults()
    structlog.contextvars.clear_contextvars()
    logging.getLogger().handlers = []


def _captured(**event):
    with capture_logs(processors=[structlog.contextvars.merge_contextvars,
                                  mask_personal_data]) as logs:
        structlog.get_logger().info("event", **event)
    assert len(logs) == 1
    return logs[0]


def test_identifier_instances_are_masked():
    logged = _captured(owner=PNR, payer=ORG, other=FNR, facility=gsrn(1))
    assert logged["owner"] == PNR.masked()
    assert logged["payer"] == ORG.masked()
    assert logged["other"] == FNR.masked()
    assert logged["facility"] == gsrn(1).reveal()  # a GSRN is not personal data


def test_personal_keys_are_masked_recursively():
    logged = _captured(customer={"name": "Anna Lindqvist", "email": "anna@example.se",
                                 "address": {"street": "Storgatan 1", "town": "Helsingborg"},
                                 "customer_number": "880000"},
                       people=[{"phone": "070-765 43 21"}],
                       personal_number=PNR.reveal())
    assert logged["customer"]["name"] == "A***"
    assert logged["customer"]["email"] == "a***@example.se"
    assert logged["customer"]["address"] == {"street": "S***", "town": "H***"}
    assert logged["customer"]["customer_number"] == "880000"
    assert logged["people"] == [{"phone": "0***"}]
    assert logged["personal_number"] == PNR.reveal()[0] + "***"


def test_numbers_inside_strings_are_masked_only_when_valid():
    text = (f"owner {PNR.reveal()} / {PNR_LONG.reveal()} / {FNR.reveal()} "
            f"facility {gsrn(2).reveal()} order 1234567890")
    masked = mask_personal_numbers(text)
    for secret in (PNR.reveal(), PNR_LONG.reveal(), FNR.reveal()):
        assert secret not in masked
    assert PNR.masked() in masked and FNR.masked() in masked
    assert gsrn(2).reveal() in masked  # 18 digits: not a personal number
    assert "1234567890" in masked  # fails Luhn: left alone


def test_event_text_and_context_are_masked():
    structlog.contextvars.bind_contextvars(case_id="SE-1000", note=f"pnr {PNR.reveal()}")
    logged = _captured(error=f"bad payer {FNR.reveal()}")
    assert logged["case_id"] == "SE-1000"
    assert PNR.reveal() not in logged["note"]
    assert FNR.reveal() not in logged["error"]


def test_models_are_masked_by_field():
    case = swedish_case()
    logged = _captured(case=case)
    text = json.dumps(logged, default=str)
    assert case.property_owner.personal_number.reveal() not in text
    assert case.property_owner.name not in text
    assert case.facilities[0].facility_id.reveal() in text


def test_rendered_json_output_is_masked(capsys):
    configure_logging("INFO", json=True)
    structlog.contextvars.bind_contextvars(message_id="m-1", case_id="SE-1000")
    log = structlog.get_logger("test")
    log.info("case.received", owner=PNR, name="Anna Lindqvist", text=f"fnr {FNR.reveal()}")
    log.debug("hidden")
    lines = [line for line in capsys.readouterr().err.splitlines() if line]
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["event"] == "case.received"
    assert record["level"] == "info"
    assert record["message_id"] == "m-1" and record["case_id"] == "SE-1000"
    assert record["timestamp"].endswith("Z") and "T" in record["timestamp"]
    assert record["owner"] == PNR.masked() and record["name"] == "A***"
    for secret in (PNR.reveal(), FNR.reveal(), "Anna Lindqvist"):
        assert secret not in lines[0]


def test_standard_library_logs_are_masked_too(capsys):
    configure_logging("DEBUG", json=True)
    logging.getLogger("kombu").warning("customer %s failed", PNR.reveal())
    out = capsys.readouterr().err
    record = json.loads(out.strip().splitlines()[-1])
    assert record["logger"] == "kombu"
    assert PNR.reveal() not in out
    assert PNR.masked() in record["event"]


def test_exceptions_are_masked(capsys):
    configure_logging("INFO", json=True)
    try:
        raise ValueError(f"payer {FNR.reveal()} refused")
    except ValueError:
        structlog.get_logger().exception("failed")
    out = capsys.readouterr().err
    assert "ValueError" in out
    assert FNR.reveal() not in out


def test_console_renderer(capsys):
    configure_logging("warning", json=False)
    structlog.get_logger().warning("case.rejected", owner=PNR)
    out = capsys.readouterr().err
    assert "case.rejected" in out and PNR.masked() in out and PNR.reveal() not in out


def test_unknown_level_is_a_configuration_error():
    with pytest.raises(ConfigurationError, match="unknown log level 'LOUD'"):
        configure_logging("LOUD")
