"""The envelope: every sample read and written back byte for byte; hostile interchanges refused
with the rule and the place."""

from __future__ import annotations

import pytest

from connectors.ediel import syntax
from connectors.ediel.syntax import EdifactError
from tests.connectors.ediel.conftest import sample

KINDS = ["utilts_e66_hourly", "prodat_z03", "contrl_positive", "aperak_prodat_negative",
         "aperak_utilts_positive"]


@pytest.mark.parametrize("name", KINDS)
def test_each_kind_reads_and_writes_back_identically(name):
    raw = sample(name)
    interchange = syntax.read(raw)
    assert interchange.syntax == ("UNOC", 3)
    assert syntax.write(interchange) == raw


def test_header_fields():
    ic = syntax.read(sample("prodat_z03"))
    assert (ic.sender.id, ic.recipient.id, ic.reference) == ("12345", "54321", "SUP2610010001")
    assert ic.application_reference == "23-DDQ-PRODAT" and ic.ack_requested
    [message] = ic.messages
    assert message.identifier == ["PRODAT", "D", "97A", "UN", "E2SE6A"]


def test_release_characters_both_ways():
    ic = syntax.read(sample("prodat_z03"))
    nad = next(s for s in ic.messages[0].segments if s.tag == "NAD" and s.elements[0] == "UD")
    nad.elements[3] = "Kalle's El+Värme: AB?"
    raw = syntax.write(ic)
    assert b"Kalle?'s El?+V\xe4rme?: AB??" in raw
    back = syntax.read(raw)
    nad_back = next(s for s in back.messages[0].segments if s.tag == "NAD"
                    and s.elements[0] == "UD")
    assert nad_back.elements[3] == "Kalle's El+Värme: AB?"


def _replace(raw: bytes, old: bytes, new: bytes) -> bytes:
    assert old in raw
    return raw.replace(old, new, 1)


@pytest.mark.parametrize(("change", "code", "words"), [
    ((b"UNT+18+1", b"UNT+17+1"), "29", "UNT counts '17'"),
    ((b"UNZ+1+SUP", b"UNZ+2+SUP"), "29", "UNZ counts '2'"),
    ((b"UNT+18+1", b"UNT+18+9"), "28", "UNT reference"),
    ((b"UNZ+1+SUP2610010001", b"UNZ+1+OTHER"), "28", "UNZ reference"),
    ((b"Exempel AB", b"Exempel ?AB"), "21", "release character"),
    ((b"UNOC:3", b"UNOA:1"), "2", "not accepted"),
    ((b"Exempel AB", b"Exempel\x01AB"), "21", "not in UNOC"),
])
def test_hostile_interchanges_name_rule_and_code(change, code, words):
    raw = _replace(sample("prodat_z03"), *change)
    with pytest.raises(EdifactError) as caught:
        syntax.read(raw)
    assert caught.value.code == code
    assert words in str(caught.value)
    assert caught.value.where


def test_truncated_interchange():
    raw = sample("utilts_e66_hourly")
    for cut in (len(raw) // 2, len(raw) - 25, len(raw) - 1):
        with pytest.raises(EdifactError) as caught:
            syntax.read(raw[:cut])
        assert "truncated" in str(caught.value) or "end" in str(caught.value)


def test_release_character_at_the_very_end():
    with pytest.raises(EdifactError, match="release character"):
        syntax.read(sample("contrl_positive") + b"?")


def test_utf8_is_refused_as_wrong_charset():
    raw = _replace(sample("prodat_z03"), b"Teststad", "Växjö".encode())
    with pytest.raises(EdifactError, match="UTF-8"):
        syntax.read(raw)


def test_fifty_megabytes_refused_before_parsing():
    raw = sample("utilts_e66_hourly")
    huge = raw.replace(b"UNT+69+1", b"SEQ++1'" * 1 + b"UNT+69+1") + b"X" * (50 * 2**20)
    with pytest.raises(EdifactError, match="more than the") as caught:
        syntax.read(huge)  # refused by its size, before it is decoded or tokenized
    assert caught.value.where == "interchange"


def test_segment_outside_a_message():
    raw = _replace(sample("contrl_positive"), b"UNZ+1", b"FOO+1'UNZ+1")
    with pytest.raises(EdifactError, match="outside"):
        syntax.read(raw)


def test_write_refuses_characters_outside_unoc():
    ic = syntax.read(sample("prodat_z03"))
    ic.messages[0].segments[0].elements[1] = "Ω"
    with pytest.raises(Exception, match="outside UNOC"):
        syntax.write(ic)


def test_peek_reads_the_header_of_a_broken_interchange():
    raw = _replace(sample("prodat_z03"), b"UNT+18+1", b"UNT+3+1")
    header = syntax.peek(raw)
    assert header is not None and header.reference == "SUP2610010001"
    assert syntax.peek(b"garbage") is None
