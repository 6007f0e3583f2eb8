"""examples/messages: a valid canonical sample for every message type (issue 18 item 4)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hub import codec
from schemas.message_types import MessageType
from schemas.payloads import parse_payload

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "messages"


def test_every_message_type_has_an_example_and_nothing_else_is_there():
    names = {path.name for path in EXAMPLES.glob("*.json")}
    assert names == {f"{t.value}.json" for t in MessageType}


@pytest.mark.parametrize("type_", [t.value for t in MessageType])
def test_the_example_is_a_valid_message_of_its_type(type_):
    text = (EXAMPLES / f"{type_}.json").read_text(encoding="utf-8")
    envelope = codec.decode(json.dumps(json.loads(text)))  # what gridhub send reads
    assert envelope.type == type_
    parse_payload(envelope)  # raises InvalidMessage naming the field when it breaks the model
