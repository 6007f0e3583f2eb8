"""Business keys: found once, from the payload the projection validated, and the same as
walking every field of the payload; the state row dumped without serialising the case twice."""

from typing import Any

import pytest
from pydantic import BaseModel

from schemas.business_keys import (
    KEY_GSRN,
    KEY_METER,
    KEY_WORKORDER,
    business_keys,
    business_keys_of,
    payload_keys,
)
from schemas.identifiers import Gsrn
from schemas.message_types import MessageType
from schemas.payloads import parse_payload
from schemas.projection import project, state_json
from tests.factories import block_case, envelope, lifecycle, norwegian_case, swedish_case

ALL_TYPES = sorted(MessageType)


def _every_field(value: Any, name: str | None, found: dict[str, set[str]]) -> None:
    """Reference: visit every field of every model, whatever its type."""
    if isinstance(value, Gsrn):
        found.setdefault(KEY_GSRN, set()).add(value.reveal())
    elif isinstance(value, str):
        if name in ("meter_number", "old_meter_number"):
            found.setdefault(KEY_METER, set()).add(value)
        elif name == KEY_WORKORDER:
            found.setdefault(KEY_WORKORDER, set()).add(value)
    elif isinstance(value, BaseModel):
        for field_name in type(value).model_fields:
            _every_field(getattr(value, field_name), field_name, found)
    elif isinstance(value, list | tuple):
        for item in value:
            _every_field(item, name, found)


@pytest.mark.parametrize("type_", ALL_TYPES)
@pytest.mark.parametrize("case", [swedish_case(3), norwegian_case(4), block_case(3, seed=5)],
                         ids=["se", "no", "block"])
def test_keys_walk_only_fields_that_can_hold_keys_yet_find_them_all(type_, case):
    payload = parse_payload(envelope(type_, case))
    expected: dict[str, set[str]] = {}
    _every_field(payload, None, expected)
    assert business_keys_of(payload) == {k: v for k, v in expected.items() if v}


def test_block_case_keys_name_every_facility():
    case = block_case(4, seed=7)
    keys = business_keys(envelope("case.submitted", case))
    assert keys[KEY_GSRN] == sorted(f.facility_id.reveal() for f in case.facilities)
    assert len(keys[KEY_GSRN]) == 4


@pytest.mark.parametrize("case", [swedish_case(1), norwegian_case(2)], ids=["se", "no"])
def test_project_hands_back_the_payload_keys_of_each_message_of_a_lifecycle(case):
    state = None
    for env in lifecycle(case):
        projected = project(state, env)
        assert projected.payload_keys == business_keys(env)
        assert projected.payload_keys == payload_keys(parse_payload(env))
        state = projected.state
    assert state is not None and state.keys[KEY_GSRN]


@pytest.mark.parametrize("case", [swedish_case(1), norwegian_case(2)], ids=["se", "no"])
def test_state_json_equals_the_full_json_dump(case):
    state = None
    for env in lifecycle(case):
        state = project(state, env).state
        assert state_json(state) == state.model_dump(mode="json")
        # and it survives the store's round trip into the model
        assert type(state).model_validate(state_json(state)) == state
