"""Proposed tests/bench/test_messages.py: the benchmark's message bytes and how outputs are read."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bench.messages import (
    case_inputs,
    input_id,
    note_templates,
    parse_input_id,
    read_output,
    sequence_inputs,
    stamp,
    submitted_templates,
)
from hub import codec
from schemas.envelope import derived_message_id
from schemas.projection import apply


def test_input_ids_round_trip_and_refuse_out_of_range() -> None:
    assert parse_input_id(input_id(4660, 7)) == (4660, 7)
    assert parse_input_id("3f2b1c4e-0000-4000-8000-000000000001") is None
    with pytest.raises(ValueError, match="out of range"):
        input_id(16**6, 0)


def test_every_input_is_a_valid_case_submitted_of_2_to_4_kb() -> None:
    templates = submitted_templates()
    for item in case_inputs(10, len(templates), templates):
        env = codec.decode(stamp(item, 1_700_000_000.25))
        assert 2000 <= len(item.body) <= 4096
        assert env.type == "case.submitted"
        assert env.payload["case_id"] == env.case_id  # both placeholders patched alike
        assert env.occurred_at == datetime.fromtimestamp(1_700_000_000.25, UTC)
        assert apply(None, env).case_id == env.case_id


def test_read_output_finds_the_input_behind_a_gridhub_output_and_a_relayed_one() -> None:
    item = case_inputs(42, 1, submitted_templates())[0]
    body = stamp(item, 1_700_000_000.5)
    env = codec.decode(body)
    routed = env.model_copy(update={"message_id": derived_message_id(env.message_id, "r"),
                                    "causation_id": env.message_id})
    assert read_output(codec.encode(routed)) == (42, 0, 1_700_000_000.5)
    assert read_output(body) == (42, 0, 1_700_000_000.5)
    assert read_output(b'{"message_id":"not-ours","occurred_at":"2024-01-01T00:00:00Z"}') is None


def test_sequences_keep_each_case_in_order_and_interleave_cases() -> None:
    items = sequence_inputs(6, 3, 3, submitted_templates(), note_templates())
    order = [read_output(stamp(i, 0.0))[:2] for i in items]  # type: ignore[index]
    assert order[:6] == [(0, 0), (1, 0), (2, 0), (0, 1), (1, 1), (2, 1)]
    for case in range(6):
        assert [s for c, s in order if c == case] == [0, 1, 2]
    state = None
    for item in items:  # notes go to the case's own id (SE- or NO-), after its creation
        env = codec.decode(stamp(item, 0.0))
        if read_output(stamp(item, 0.0))[0] == 1:  # type: ignore[index]
            state = apply(state, env)
    assert state is not None and len(state.case["notes"]) >= 2  # type: ignore[index]
