"""Hypothesis strategies that build EMIF documents from the structure (structure.py), element
by element, with no sample and without the codec under test: optional elements present or not,
repeats from min to a few, every choice option, every value type at its edges (empty
``Withdrawn``, signed profiled volumes, 9-digit fractions, offsets)."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Any

from hypothesis import strategies as st
from lxml import etree

from connectors.elhub.emif import ABIE
from connectors.elhub.structure import CONTEXT, HEADER, Attr, Choice, El, Kind

LETTERS = "abcdefghijklmnopqrstuvwxyzæøåÆØÅABCXYZ0123456789 &<>'\"-./"
_DEC = {"dec15.3": (15, 3, 0, 10**12), "dec15.3s": (15, 3, -(10**12), 10**12),
        "dec12.2s": (12, 2, -(10**10), 10**10), "dec12.5": (12, 5, 0, 10**7),
        "dec8.5": (8, 5, 0, 1000), "dec5.2": (5, 2, 0, 100)}


@cache
def _time(fraction: int) -> st.SearchStrategy[str]:
    @st.composite
    def build(draw: st.DrawFn) -> str:
        year = draw(st.integers(1000, 9999))
        month, day = draw(st.integers(1, 12)), draw(st.integers(1, 28))
        hour, minute, second = (draw(st.integers(0, n)) for n in (23, 59, 59))
        clock = f"{hour:02d}:{minute:02d}:{second:02d}"
        digits = draw(st.integers(0, fraction))
        frac = "." + "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=digits,
                                           max_size=digits))) if digits else ""
        zone = draw(st.sampled_from(["Z", "+01:00", "+02:00", "-05:30"]))
        return f"{year:04d}-{month:02d}-{day:02d}T{clock}{frac}{zone}"
    return build()


def _decimal(kind: str) -> st.SearchStrategy[str]:
    _digits, places, low, high = _DEC[kind]
    values = st.decimals(Decimal(low), Decimal(high) - Decimal(1) / 10**places, places=places,
                         allow_nan=False, allow_infinity=False)
    if low < 0:
        values = values.filter(lambda d: d > low)
    # the text as a sender may write it: all places, or trailing zeros dropped
    return st.tuples(values, st.booleans()).map(
        lambda t: format(t[0], "f") if t[1] else _trim(format(t[0], "f")))


def _trim(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


@cache  # building strategies is slow: one per leaf type
def leaf(kind: str) -> st.SearchStrategy[str]:
    if kind.startswith("enum:"):
        return st.sampled_from(kind[5:].split("|"))
    if kind.startswith("pattern:"):
        return st.from_regex(f"^({kind[8:]})$", fullmatch=True).map(lambda s: s.rstrip("\n"))
    if kind.startswith("str"):
        limit = int(kind[3:])
        return st.text(st.sampled_from(LETTERS), min_size=1, max_size=min(limit, 8))
    if kind.startswith("int"):
        return st.integers(0, int(kind[3:])).map(str)
    if kind in _DEC:
        return _decimal(kind)
    simple: dict[str, st.SearchStrategy[str]] = {
        "uuid": st.uuids().map(str), "dt3": _time(3), "dt9": _time(9),
        "bool": st.sampled_from(["true", "false"]),
        "gsrn": st.from_regex(r"^[0-9]{18}$", fullmatch=True).map(str.strip),
        "gln": st.from_regex(r"^[0-9]{13}$", fullmatch=True).map(str.strip),
        "eic": st.from_regex(r"^[0-9]{2}Y[0-9A-Z]{13}$", fullmatch=True).map(str.strip),
        "fixedtrue": st.sampled_from(["true", ""]),  # empty: the XSD supplies the fixed value
        "xsdtrue": st.sampled_from(["true", "1"]),
    }
    return simple[kind]


def _attributes(draw: st.DrawFn, attrs: tuple[Attr, ...], element: etree._Element) -> None:
    for attr in attrs:
        if attr.required or draw(st.booleans()):
            element.set(attr.name, draw(leaf(attr.type)))


def _element(draw: st.DrawFn, spec: El, parent: etree._Element, namespace: str) -> None:
    element = etree.SubElement(parent, f"{{{namespace}}}{spec.name}")
    _attributes(draw, spec.attrs, element)
    if spec.leaf:
        assert isinstance(spec.type, str)
        element.text = draw(leaf(spec.type)) or None
        return
    for node in spec.children:
        option = draw(st.sampled_from(node.options)) if isinstance(node, Choice) else node
        if isinstance(node, Choice) and node.min == 0 and not draw(st.booleans()):
            continue
        count = draw(st.integers(option.min, min(option.max, option.min + 1)))
        for _ in range(count):
            _element(draw, option, element, ABIE)


@st.composite
def document(draw: st.DrawFn, kind: Kind) -> etree._Element:
    """One document of ``kind``, built from its structure."""
    root = etree.Element(f"{{{kind.namespace}}}{kind.root}",
                         nsmap={draw(st.sampled_from(["rsm", "ns0", "m"])): kind.namespace,
                                draw(st.sampled_from(["abie", "a", "cbc"])): ABIE})
    _element(draw, HEADER, root, kind.namespace)
    _element(draw, CONTEXT, root, kind.namespace)
    for _ in range(draw(st.integers(1, min(kind.payload.max, 2)))):
        _element(draw, kind.payload, root, kind.namespace)
    return root


def same(a: etree._Element, b: etree._Element) -> bool:
    """The same document: names, attributes, texts and order; prefixes may differ."""
    return _shape(a) == _shape(b)


def _shape(element: etree._Element) -> Any:
    return (element.tag, dict(element.attrib), element.text if len(element) == 0 else None,
            [_shape(c) for c in element if isinstance(c.tag, str)])
