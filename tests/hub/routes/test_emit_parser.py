"""emit: and deadline: on a route, and what is wrong with them, by line and key path."""

from __future__ import annotations

from datetime import time
from textwrap import dedent

import pytest

from hub.routes.model import NO_DEFAULT, Deadline, Emit, From
from tests.hub.routes.texts import assert_error, doc, parse

LOOKUP = """
    - name: lookup-on-submit
      match: {type: case.submitted}
      emit:
        type: facility.lookup.requested
        payload:
          facility_id: {from: payload.facilities.0.facility_id}
          meter_number:
            from: [payload.facilities.0.meter_number, case.facilities.0.meter_number]
            default: "0"
          overwrite: false
    """


def test_emit_is_built_with_constants_and_field_references():
    [route] = parse(doc(dedent(LOOKUP))).routes
    assert route.to == () and route.emit == (Emit(
        type="facility.lookup.requested",
        payload={"facility_id": From(("payload.facilities.0.facility_id",), NO_DEFAULT),
                 "meter_number": From(("payload.facilities.0.meter_number",
                                       "case.facilities.0.meter_number"), "0"),
                 "overwrite": False}),)


def test_deadline_is_built():
    [route] = parse(doc(dedent("""
        - name: values
          match: {type: meteringvalues.collected}
          to: [metering]
          deadline: {field: payload.day, at: "07:00", timezone: Europe/Oslo}
        """))).routes
    assert route.deadline == Deadline("payload.day", time(7, 0), "Europe/Oslo", 1)


@pytest.mark.parametrize(("body", "needle", "key", "fragment"), [
    ("emit: {type: case.aproved, payload: {}}", "emit:", "routes[0].emit.type",
     "unknown message type 'case.aproved' (did you mean 'case.approved'?)"),
    ("emit: {type: case.approved, payload: {gird_data: 1}}", "emit:",
     "routes[0].emit.payload.gird_data", "case.approved has no field 'gird_data'"),
    ("emit: {type: case.approved, payload: {note: {from: payload.x..y}}}", "emit:",
     "routes[0].emit.payload.note.from", "bad field path"),
    ("emit: {type: case.approved, payload: {note: {from: case.reference, defualt: 1}}}", "emit:",
     "routes[0].emit.payload.note.defualt", "unknown key 'defualt'"),
    ("emit: {type: case.approved, payload: [1]}", "emit:", "routes[0].emit.payload",
     "payload must be a mapping"),
    ("emit: []", "emit:", "routes[0].emit", "emit is an empty list"),
    ("to: [metering]\n  deadline: {field: payload.day, at: '7 am'}", "deadline:",
     "routes[0].deadline.at", "at must be a time of day"),
    ("to: [metering]\n  deadline: {field: payload.day, at: '07:00', timezone: Mars/Olympus}",
     "deadline:", "routes[0].deadline.timezone", "unknown time zone 'Mars/Olympus'"),
])
def test_emit_and_deadline_errors_name_line_and_key(body, needle, key, fragment):
    text = doc(f"- name: r\n  match: {{type: case.submitted}}\n  {body}\n")
    assert_error(text, needle, key, fragment)


def test_emit_cannot_go_with_aggregate():
    text = doc(dedent("""
        - name: both
          emit: {type: case.archived}
          aggregate:
            parts: {lookup: facility.lookup.answered, griddata: griddata.answered}
            timeout: 30s
            emit: case.enriched
        """))
    assert_error(text, "aggregate:", "routes[0].aggregate", "to/emit or aggregate, not both")
