"""examples/messages: a valid canonical sample for every message type (issue 18 item 4).

A new message type needs its example: ``python -m tests.test_examples`` writes the missing ones
from tests/factories.py's samples (about the same case, SE-1001), to check and commit.
"""

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


def write_missing() -> list[str]:
    """Write an example for every message type that has none; the names written."""
    from tests.factories import envelope, swedish_case

    case, written = swedish_case(1), []
    for step, type_ in enumerate(MessageType):
        path = EXAMPLES / f"{type_.value}.json"
        if not path.exists():
            doc = envelope(type_.value, case, step=step).model_dump(mode="json")
            path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n",
                            encoding="utf-8")
            written.append(path.name)
    return written


if __name__ == "__main__":
    print("\n".join(write_missing()) or "every message type has its example")
