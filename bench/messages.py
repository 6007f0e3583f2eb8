"""The benchmark's message bytes: canonical envelopes of 2-4 KB built with tests/factories.py.

Each input carries its identity in its ``message_id`` (a UUID whose last 12 hex digits are the
case number and the sequence number within the case) and its publish time in ``occurred_at``,
both fixed-width, so the bodies are built once from a few templates and patched in place.
Every contender passes both through: gridhub keeps ``occurred_at`` and names the input in
``causation_id``; the relays forward the body as it is. The output consumer reads them back
with :func:`read_output`, which is all it needs for latency, duplicates and per-case order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hub import codec
from schemas.case import Case
from tests.factories import block_case, envelope, norwegian_case, note, swedish_case

ID_PREFIX = "6e1d2b7a-0c4f-4a51-9b3e-"
"""The first 24 characters of every input id; then 6 hex digits of case, 6 of sequence."""
_ID_PLACEHOLDER = ID_PREFIX + "ffffffffffff"
_CASE_PLACEHOLDER = "XXXXXXX"
_TIME_PLACEHOLDER = datetime(2000, 1, 1, 0, 0, 0, 1, tzinfo=UTC)
_TIME_TEXT = b"2000-01-01T00:00:00.000001Z"
MAX_CASES = 16**6
MAX_SEQ = 16**6

_MESSAGE_ID = re.compile(rb'"message_id":\s*"([^"]*)"')
_CAUSATION = re.compile(rb'"causation_id":\s*(?:null|"([^"]*)")')
_OCCURRED = re.compile(rb'"occurred_at":\s*"([^"]*)"')


@dataclass(frozen=True)
class Template:
    """One envelope with placeholders for its id, case number and publish time."""

    body: bytes
    prefix: str  # "SE-" or "NO-": the case id is prefix + 7 digits


@dataclass(frozen=True)
class Input:
    """One input body, ready to be stamped with its publish time by :func:`stamp`."""

    body: bytes
    time_at: int  # offset of occurred_at's 27 characters in ``body``
    case_id: str = ""  # the envelope's: the publisher picks the hub partition from it


def input_id(case: int, seq: int) -> str:
    if not (0 <= case < MAX_CASES and 0 <= seq < MAX_SEQ):
        raise ValueError(f"case {case} or seq {seq} out of range (0..{MAX_CASES - 1})")
    return f"{ID_PREFIX}{case:06x}{seq:06x}"


def parse_input_id(message_id: str) -> tuple[int, int] | None:
    """(case, seq) of an input id; None for an id the benchmark did not make."""
    if len(message_id) != 36 or not message_id.startswith(ID_PREFIX):
        return None
    try:
        return int(message_id[24:30], 16), int(message_id[30:36], 16)
    except ValueError:
        return None


def _case_variants() -> list[Case]:
    """Swedish single-meter cases, Norwegian cases with a note, and block notifications of
    2-5 facilities: canonical case.submitted bodies from about 2.1 to 3.5 KB."""
    ph = _CASE_PLACEHOLDER
    remark = note("Merknad", "Kunden ønsker montering etter kl. 12, ring før oppmøte.",
                  author="Kari Hansen")
    cases: list[Case] = []
    for seed in range(4):
        cases.append(swedish_case(seed, case_id=f"SE-{ph}"))
        cases.append(norwegian_case(seed, case_id=f"NO-{ph}", notes=[remark]))
        cases.append(block_case(2 + seed, seed, case_id=f"SE-{ph}"))
    return cases


def submitted_templates() -> list[Template]:
    """case.submitted templates of 2-4 KB (12 variants)."""
    return [_template("case.submitted", case, case.case_id[:3]) for case in _case_variants()]


def note_templates() -> dict[str, Template]:
    """case.note.added templates by case id prefix (the later messages of a case in the
    scale-out run), about 480 bytes."""
    texts = {"SE-": ("Komplettering", "Mätarskåpet sitter på gavelns baksida, nyckel finns "
                     "hos fastighetsskötaren. Montören ringer kunden dagen innan."),
             "NO-": ("Merknad", "Målerskapet står på baksiden av garasjen, nøkkel hos "
                     "vaktmesteren. Montøren ringer kunden dagen før.")}
    out = {}
    for prefix, (subject, text) in texts.items():
        case = swedish_case(0, case_id=f"{prefix}{_CASE_PLACEHOLDER}")
        payload = {"note": note(subject, text).model_dump(mode="json")}
        out[prefix] = _template("case.note.added", case, prefix, payload=payload)
    return out


def _template(type_: str, case: Case, prefix: str,
              payload: dict[str, Any] | None = None) -> Template:
    env = envelope(type_, case, payload=payload, case_id=case.case_id,
                   message_id=_ID_PLACEHOLDER, occurred_at=_TIME_PLACEHOLDER)
    body = codec.encode(env)
    if body.count(_TIME_TEXT) != 1 or body.count(_ID_PLACEHOLDER.encode()) != 1:
        raise ValueError(f"template {type_}: placeholders are not unique in the body")
    return Template(body, prefix)


def make_input(template: Template, case: int, seq: int) -> Input:
    """The body of input (``case``, ``seq``) from ``template``; same length as the template."""
    body = (template.body
            .replace(_ID_PLACEHOLDER.encode(), input_id(case, seq).encode())
            .replace(_CASE_PLACEHOLDER.encode(), f"{case:07d}".encode()))
    return Input(body, body.index(_TIME_TEXT), f"{template.prefix}{case:07d}")


def case_inputs(first_case: int, count: int, templates: list[Template]) -> list[Input]:
    """``count`` case.submitted inputs, one new case each, cycling through the templates."""
    return [make_input(templates[(first_case + i) % len(templates)], first_case + i, 0)
            for i in range(count)]


def sequence_inputs(cases: int, per_case: int, interleave: int, templates: list[Template],
                    notes: dict[str, Template]) -> list[Input]:
    """``per_case`` messages for each of ``cases`` cases: case.submitted (seq 0), then notes.

    Cases go in groups of ``interleave``; within a group the publish order is seq-major, so
    two messages of one case are ``interleave`` messages apart on the queue, as when many
    cases progress at the same time."""
    out: list[Input] = []
    for start in range(0, cases, interleave):
        group = range(start, min(start + interleave, cases))
        for seq in range(per_case):
            for case in group:
                tpl = templates[case % len(templates)]
                out.append(make_input(tpl if seq == 0 else notes[tpl.prefix], case, seq))
    return out


def time_text(at: float) -> bytes:
    """``at`` (epoch seconds) as the 27 characters of a canonical occurred_at."""
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ").encode()


def stamp(item: Input, at: float) -> bytes:
    """The body with occurred_at set to ``at``: the publish time the latency is measured from."""
    return item.body[:item.time_at] + time_text(at) + item.body[item.time_at + 27:]


def read_output(body: bytes) -> tuple[int, int, float] | None:
    """(case, seq, publish time) of an output: the input is its causation (gridhub) or the
    message itself (the relays). None for a body the benchmark did not make."""
    cause = _CAUSATION.search(body)
    found = cause.group(1) if cause and cause.group(1) else None
    if found is None:
        mid = _MESSAGE_ID.search(body)
        found = mid.group(1) if mid else None
    at = _OCCURRED.search(body)
    if found is None or at is None:
        return None
    ids = parse_input_id(found.decode())
    if ids is None:
        return None
    published = datetime.fromisoformat(at.group(1).decode()).timestamp()
    return ids[0], ids[1], published
