"""EDIFACT interchanges (UNA/UNB ... UNH-UNT ... UNZ) read and written with pydifact.

pydifact tokenizes (service characters from UNA, release characters) and serializes (escaping
with the release character); this module adds what it leaves out: the UNOC character set, a
release character only before a service character, UNT segment counts and UNZ message counts,
and the control references, checked on read and computed on write.

A broken interchange raises :class:`EdifactError`, an ``InvalidMessage`` that also carries the
ISO 9735 syntax error code (code list 0085) a negative CONTRL reports.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from pydifact.control import Characters
from pydifact.exceptions import EDISyntaxError
from pydifact.parser import Parser, TokenIterator
from pydifact.segments import Segment
from pydifact.serializer import Serializer
from pydifact.tokenizer import Tokenizer

from connectors.ediel import codes
from hub.toolkit import InvalidMessage

Element = str | list[str]
MAX_REFERENCE = 14  # UNB 0020 and UNH 0062
_HIGH = re.compile(rb"[\x80-\xff]")
_CONTROL = re.compile(r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # not graphic in UNOC


class EdifactError(InvalidMessage):
    """The interchange breaks the EDIFACT syntax; ``code`` is the 0085 syntax error code."""

    def __init__(self, message: str, *, where: str, code: str) -> None:
        super().__init__(message, where=where)
        self.code = code


def _error(kind: str, message: str, where: str) -> EdifactError:
    return EdifactError(message, where=where, code=str(codes.get("contrl", "errors", kind)))


@dataclass(frozen=True)
class Party:
    """An interchange sender or recipient: Ediel-id, qualifier, optional sub-address."""

    id: str
    qualifier: str = "ZZ"
    subaddress: str = ""

    def element(self) -> list[str]:
        return [self.id, self.qualifier, self.subaddress] if self.subaddress \
            else [self.id, self.qualifier]

    @classmethod
    def of(cls, element: Element | None, where: str) -> Party:
        parts = [element] if isinstance(element, str) else list(element or [])
        if not parts or not parts[0]:
            raise _error("missing", "the party identification is empty", where)
        return cls(parts[0], parts[1] if len(parts) > 1 else "",
                   parts[2] if len(parts) > 2 else "")


@dataclass
class Message:
    """One UNH ... UNT message: its reference, S009 identifier and body segments."""

    reference: str
    identifier: list[str]
    segments: list[Segment] = field(default_factory=list)

    @property
    def type(self) -> str:
        return self.identifier[0] if self.identifier else ""

    def all(self, tag: str) -> list[Segment]:
        return [s for s in self.segments if s.tag == tag]

    def first(self, tag: str) -> Segment | None:
        return next((s for s in self.segments if s.tag == tag), None)


@dataclass
class Interchange:
    sender: Party
    recipient: Party
    reference: str
    prepared: datetime  # naive local wall-clock time, as Ediel writes UNB S004
    application_reference: str = ""
    ack_requested: bool = False
    test: bool = False
    messages: list[Message] = field(default_factory=list)
    syntax: tuple[str, int] = ("UNOC", 3)
    decimal: str = "."  # the decimal mark UNA declared


# ---------------------------------------------------------------- writing


def characters() -> Characters:
    return Characters.from_str(str(codes.get("envelope", "service_characters")))


class _Serializer(Serializer):
    """pydifact's serializer; an element without a service character (nearly every one: codes,
    numbers, ids) is passed through without the regex substitution and its callback."""

    def __init__(self, chars: Characters) -> None:
        super().__init__(chars)
        self._special = re.compile("[" + re.escape("".join(self.replace_map)) + "]")

    def escape(self, string: str | None) -> str:
        if string is None:
            return ""
        if self._special.search(string) is None:
            return string
        return super().escape(string)


def write(interchange: Interchange) -> bytes:
    """The interchange as UNOC bytes, UNA first, counts and references computed."""
    for ref, where in [(interchange.reference, "UNB 0020"),
                       *((m.reference, "UNH 0062") for m in interchange.messages)]:
        if not ref or len(ref) > MAX_REFERENCE:
            raise InvalidMessage(f"a control reference has 1 to {MAX_REFERENCE} characters, "
                                 f"got {ref!r}", where=where)
    unb: list[Element] = [[interchange.syntax[0], str(interchange.syntax[1])],
                          interchange.sender.element(), interchange.recipient.element(),
                          [f"{interchange.prepared:%y%m%d}", f"{interchange.prepared:%H%M}"],
                          interchange.reference]
    tail = ["", interchange.application_reference, "", "1" if interchange.ack_requested else "",
            "", "1" if interchange.test else ""]
    while tail and not tail[-1]:
        tail.pop()
    segments = [Segment("UNB", *unb, *tail)]
    for message in interchange.messages:
        segments.append(Segment("UNH", message.reference, list(message.identifier)))
        segments.extend(message.segments)
        segments.append(Segment("UNT", str(len(message.segments) + 2), message.reference))
    segments.append(Segment("UNZ", str(len(interchange.messages)), interchange.reference))
    text = _Serializer(characters()).serialize(segments, with_una_header=True)
    try:
        return text.encode("iso-8859-1")
    except UnicodeEncodeError as exc:
        raise InvalidMessage(f"a character outside UNOC (ISO 8859-1): {text[exc.start]!r}",
                             where=f"character {exc.start}") from None


# ---------------------------------------------------------------- reading


class _StrictTokenizer(Tokenizer):
    """pydifact's tokenizer, refusing a release character that releases nothing: ISO 9735
    lets it stand only before a service character (or itself)."""

    def read_next_char(self) -> None:
        super().read_next_char()
        if self.isEscaped and self.characters is not None:
            released = (self.characters.component_separator, self.characters.data_separator,
                        self.characters.segment_terminator, self.characters.escape_character)
            if self._char not in released:
                what = "the end" if self._char is None else repr(self._char)
                raise EDISyntaxError(f"release character before {what}, which is not a "
                                     "service character", self._lineno, self._column)


def read(raw: bytes, *, max_bytes: int | None = None) -> Interchange:
    """Parse and check ``raw``; EdifactError naming the segment and the rule broken."""
    limit = int(max_bytes if max_bytes is not None else codes.get("envelope", "max_bytes"))
    if len(raw) > limit:
        raise _error("unspecified", f"the interchange has {len(raw):,} bytes, more than the "
                     f"{limit:,} accepted", "interchange")
    text = _decode(raw)
    chars, segments = _segments(text)
    if not segments or segments[0].tag != "UNB":
        raise _error("missing", "an interchange starts with UNB (after UNA)", "segment 1")
    if segments[-1].tag != "UNZ":
        raise _error("missing", "the interchange does not end with UNZ: truncated?",
                     f"segment {len(segments)}")
    interchange = _header(segments[0])
    interchange.messages = list(_messages(segments[1:-1]))
    _trailer(segments[-1], interchange, len(segments))
    interchange.decimal = chars.decimal_point
    return interchange


def _decode(raw: bytes) -> str:
    if _HIGH.search(raw):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            pass  # not UTF-8: ISO 8859-1 as UNOC says
        else:
            raise _error("character", "the interchange is UTF-8 encoded; UNOC is ISO 8859-1",
                         "interchange")
    text = raw.decode("iso-8859-1")
    bad = _CONTROL.search(text)
    if bad is not None:
        raise _error("character", f"character {ord(bad.group()):#04x} is not in UNOC",
                     f"character {bad.start() + 1}")
    return text


def _segments(text: str) -> tuple[Characters, list[Segment]]:
    chars = characters()  # ISO 9735's defaults, also Ediel's: used when UNA is absent
    if text.startswith("UNA"):
        try:
            chars = Characters.from_str(text[:9])
        except Exception as exc:
            raise _error("character", f"UNA is malformed: {exc}", "UNA") from None
        text = text[9:].lstrip("\r\n")
    return chars, list(_tokenize(text, chars))


def _tokenize(text: str, chars: Characters) -> Iterator[Segment]:
    parser = Parser(characters=chars)
    tokens = TokenIterator(_StrictTokenizer().get_tokens(text, chars))
    count = 0
    try:
        for raw_segment in parser.convert_tokens_to_raw_segments(tokens):
            count += 1
            tag = raw_segment[0]
            if not isinstance(tag, str) or len(tag) != 3 or not tag.isalnum():
                raise _error("invalid_value", f"{tag!r} is not a segment tag",
                             f"segment {count}")
            yield Segment(tag, *raw_segment[1:])
    except EDISyntaxError as exc:
        raise _error("character" if "release" in str(exc) else "missing",
                     str(exc).removeprefix("EDIFACT Syntax Error: "),
                     f"segment {count + 1}") from None


def _header(unb: Segment) -> Interchange:
    syntax = unb.elements[0] if unb.elements else []
    accepted = [tuple(map(str, pair)) for pair in codes.get("envelope", "accepted_syntax")]
    if not isinstance(syntax, list) or tuple(syntax[:2]) not in accepted:
        raise _error("syntax", f"syntax identifier {syntax!r} is not accepted (accepted: "
                     f"{', '.join(':'.join(p) for p in accepted)})", "UNB S001")
    elements = list(unb.elements) + [""] * 11
    stamp = elements[3]
    try:
        prepared = datetime.strptime("".join(stamp) if isinstance(stamp, list) else stamp,
                                     "%y%m%d%H%M")
    except ValueError:
        raise _error("invalid_value", f"date/time {stamp!r} is not YYMMDD:HHMM",
                     "UNB S004") from None
    reference = elements[4]
    if not isinstance(reference, str) or not 0 < len(reference) <= MAX_REFERENCE:
        raise _error("invalid_value", f"control reference {reference!r} is not 1 to "
                     f"{MAX_REFERENCE} characters", "UNB 0020")
    return Interchange(sender=Party.of(elements[1], "UNB S002"),
                       recipient=Party.of(elements[2], "UNB S003"), reference=reference,
                       prepared=prepared, application_reference=_text(elements[6]),
                       ack_requested=_text(elements[8]) == "1", test=_text(elements[10]) == "1",
                       syntax=(str(syntax[0]), int(syntax[1])))


def _messages(body: list[Segment]) -> Iterator[Message]:
    current: Message | None = None
    start = 0
    for position, segment in enumerate(body, start=2):
        where = f"segment {position} ({segment.tag})"
        if segment.tag == "UNH":
            if current is not None:
                raise _error("missing", "UNH before the UNT of the message before", where)
            ref, ident = ([*list(segment.elements), "", ""])[:2]
            if not isinstance(ref, str) or not 0 < len(ref) <= MAX_REFERENCE:
                raise _error("invalid_value", f"message reference {ref!r} is invalid", where)
            current = Message(ref, ident if isinstance(ident, list) else [ident])
            start = position
        elif segment.tag == "UNT":
            if current is None:
                raise _error("missing", "UNT without UNH", where)
            _check_unt(segment, current, position - start + 1, where)
            yield current
            current = None
        elif current is None:
            raise _error("missing", f"{segment.tag} outside a UNH ... UNT message", where)
        else:
            current.segments.append(segment)
    if current is not None:
        raise _error("missing", f"message {current.reference} has no UNT: truncated?",
                     f"segment {len(body) + 1}")


def _check_unt(unt: Segment, message: Message, counted: int, where: str) -> None:
    count, ref = ([*list(unt.elements), "", ""])[:2]
    if count != str(counted):
        raise _error("count", f"UNT counts {count!r} segments, the message has {counted}",
                     where)
    if ref != message.reference:
        raise _error("references", f"UNT reference {ref!r} is not UNH's "
                     f"{message.reference!r}", where)


def _trailer(unz: Segment, interchange: Interchange, position: int) -> None:
    count, ref = ([*list(unz.elements), "", ""])[:2]
    where = f"segment {position} (UNZ)"
    if count != str(len(interchange.messages)):
        raise _error("count", f"UNZ counts {count!r} messages, the interchange has "
                     f"{len(interchange.messages)}", where)
    if ref != interchange.reference:
        raise _error("references", f"UNZ reference {ref!r} is not UNB's "
                     f"{interchange.reference!r}", where)


def _text(element: Element) -> str:
    return element if isinstance(element, str) else (element[0] if element else "")


def component(segment: Segment | None, index: int, part: int = 0) -> str:
    """Element ``index`` component ``part`` of ``segment`` ('' when absent)."""
    if segment is None or index >= len(segment.elements):
        return ""
    element = segment.elements[index]
    if isinstance(element, str):
        return element if part == 0 else ""
    return element[part] if part < len(element) else ""


def peek(raw: bytes) -> Interchange | None:
    """The UNB of an interchange that may be broken further on (to address a negative
    CONTRL); None when not even the UNB can be read."""
    try:
        text = raw.decode("iso-8859-1")
        chars = Characters.from_str(text[:9]) if text.startswith("UNA") else characters()
        body = text[9:].lstrip("\r\n") if text.startswith("UNA") else text
        for segment in _tokenize(body, chars):
            return _header(segment) if segment.tag == "UNB" else None
    except (EdifactError, EDISyntaxError, ValueError, IndexError):
        return None
    return None
