import json
from dataclasses import dataclass
from datetime import UTC, datetime

from hub.ops.render import age, clip, dumps, masked, table, when
from tests.factories import envelope, swedish_case


def test_table_aligns_columns_and_right_aligns_numbers():
    text = table(["ID", "CONNECTOR", "COUNT"], [[7, "kis", 12], [1234, "metering", 3]])
    lines = text.splitlines()
    assert lines[0] == "  ID  CONNECTOR  COUNT"
    assert lines[1] == "   7  kis           12"
    assert lines[2] == "1234  metering       3"


def test_times_and_ages_read_at_a_glance():
    assert when(datetime(2024, 3, 14, 8, 30, 5, 999, tzinfo=UTC)) == "2024-03-14 08:30:05Z"
    assert [age(s) for s in (5, 725, 12_000, 190_000)] == ["5s", "12m05s", "3h20m", "2d04h"]
    assert clip("HTTP 503\n  Service   Unavailable", 14) == "HTTP 503 Serv…"


def test_masked_hides_personal_data_but_keeps_business_keys():
    case = swedish_case(1)
    doc = json.loads(envelope("case.submitted", case).model_dump_json())
    personal = str(case.property_owner.personal_number.reveal())
    shown = json.dumps(masked(doc), ensure_ascii=False)
    assert personal not in shown and "Anna Lindqvist" not in shown
    assert case.facilities[0].facility_id.reveal() in shown  # a GSRN is no personal data


def test_json_output_leaves_message_bodies_out():
    @dataclass
    class Row:
        id: int
        body: bytes
        at: datetime

    doc = json.loads(dumps([Row(1, b"secret", datetime(2024, 3, 14, tzinfo=UTC))]))
    assert doc == [{"id": 1, "at": "2024-03-14T00:00:00+00:00"}]
