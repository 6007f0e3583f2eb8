"""Single-line text fields refuse control characters at the contract (issue 13, item 13): a
newline in the portal's case reference must not reach an e-mail header, a table or a log line."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from schemas.case import Case
from schemas.envelope import Envelope
from schemas.export import generate
from tests.factories import swedish_case

CONTROL = st.sampled_from([chr(c) for c in [*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029]])
TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1,
               max_size=20).filter(str.strip)


def _case(**fields: object) -> dict:
    return swedish_case(3).model_dump(mode="json") | fields


@given(TEXT, CONTROL, TEXT)
def test_a_control_character_in_a_single_line_field_is_refused_naming_it(before, char, after):
    reference = f"{before}{char}{after}"
    with pytest.raises(ValidationError) as info:
        Case.model_validate(_case(reference=reference))
    error = info.value.errors()[0]
    assert error["loc"] == ("reference",)
    assert f"U+{ord(char):04X}" in error["msg"]


@given(TEXT)
def test_printable_text_passes_unchanged(text):
    assert Case.model_validate(_case(reference=text)).reference == text.strip()


def test_the_review_probe_is_refused_at_the_contract():
    with pytest.raises(ValidationError, match=r"U\+000A \(line feed\), found at character 8"):
        Case.model_validate(_case(reference="MEE9541\nBcc: attacker@example.com"))


@pytest.mark.parametrize("field", ["case_id", "source", "message_id", "causation_id"])
def test_envelope_keys_refuse_control_characters(field):
    fields = {"case_id": "SE-1", "type": "case.submitted", "source": "elsmart"}
    with pytest.raises(ValidationError, match="U\\+000D"):
        Envelope(**(fields | {field: "SE-1\r\nX-Evil: 1"}))


def test_multi_line_text_keeps_lines_and_refuses_the_other_controls():
    case = _case()
    note = {"subject": "Mätarplats", "text": "Rad ett\nRad två\tmed tabb", "author": "Erik",
            "at": "2024-03-14T08:00:00+00:00"}
    assert Case.model_validate(case | {"notes": [note]}).notes[0].text.count("\n") == 1
    with pytest.raises(ValidationError, match="U\\+001B"):
        Case.model_validate(case | {"notes": [note | {"text": "färg \x1b[31m röd"}]})
    with pytest.raises(ValidationError, match="U\\+000A"):
        Case.model_validate(case | {"notes": [note | {"subject": "rad\nbrytning"}]})


def test_the_published_schema_carries_the_rule():
    reference = generate()["case.schema.json"]["properties"]["reference"]
    assert reference["pattern"].startswith("^[^\\u0000-\\u001f")
