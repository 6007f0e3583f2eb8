"""Checking a ``where:`` field path against the canonical model, before the hub starts.

A path that names no field (``case.facilites.0.main_fuse_a``) would make its rule silently
never match, so ``routes check`` refuses it with a "did you mean". A path is checked against
the payload model of each message type its route matches (valid for one of them is enough:
a route may take several types) and, for ``case.``, against the case as routes see it (the
canonical ``Case`` plus the hub's status, flow, flags, side tracks and business keys).

Inside ``{field: LIST, any|all: ...}`` the paths are relative to one element of that list, and
:meth:`Scope.element` gives the scope to check them in. A path may also step through a list
with ``.all.``/``.any.`` (``case.facilities.all.main_fuse_a``), and in a route with ``each:``
``item.`` names the element at hand.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from hub.routes.predicates import ENVELOPE_FIELDS, QUANTIFIERS
from hub.routes.source import suggest
from schemas.case import Case
from schemas.message_types import MessageType
from schemas.payloads import PAYLOAD_MODELS

# An annotation, or a record of named alternatives (the envelope, the case view).
Node = Any
_ANY = object()  # a value of any shape: every path below it is accepted


def _record(fields: Mapping[str, Sequence[Node]]) -> dict[str, tuple[Node, ...]]:
    return {name: tuple(options) for name, options in fields.items()}


# What ``grid_owners:`` adds to the case's grid owner (hub.routes.grid_owners.view).
GRID_OWNER_VIEW: dict[str, tuple[Node, ...]] = _record({
    "market": (str,), "grid_area": (str,), "language": (str,), "market_party": (str,),
    "parties": (list[dict[str, str]],),
})
# What ``case.`` reads: hub.pipeline.case_view (Case, then the projection's fields over it),
# with the router's grid owner configuration merged in.
CASE_VIEW: dict[str, tuple[Node, ...]] = _record({
    **{name: (info.annotation,) for name, info in Case.model_fields.items()},
    "grid_owner": (Case.model_fields["grid_owner"].annotation, GRID_OWNER_VIEW),
    "keys": (dict[str, list[str]],),
    "progress": (list[dict[str, str]],),
    # what a grid owner's ``documentation:`` adds (hub.routes.documentation.documentation_view)
    "documentation": (_record({"missing": (list[str],), "subject": (str,), "text": (str,)}),),
})


@dataclass(frozen=True)
class Found:
    """Where a path leads: the annotations it may have there (one per matching alternative)."""

    options: tuple[Node, ...]

    @property
    def is_list(self) -> bool:
        return any(_list_item(option) is not None or option is _ANY for option in self.options)


class Scope:
    """The fields a path may name: the envelope (with payload and case), or a list element."""

    def __init__(self, root: dict[str, tuple[Node, ...]], relative: bool = False) -> None:
        self.root = root
        self.relative = relative

    @classmethod
    def for_types(cls, type_names: Sequence[str], each: str | None = None) -> Scope:
        """The scope of a route matching ``type_names``; with ``each`` (a route emitting once
        per element of a list) ``item.`` names that list's element."""
        payloads = tuple(PAYLOAD_MODELS[MessageType(t)] for t in type_names
                         if t in MessageType._value2member_map_
                         and MessageType(t) in PAYLOAD_MODELS) or (_ANY,)
        root: dict[str, tuple[Node, ...]] = {name: (str,) for name in ENVELOPE_FIELDS}
        root["payload"] = payloads
        root["case"] = (CASE_VIEW,)
        if each is not None:
            found = cls(dict(root)).resolve(each)
            items = cls(root).element(found).root[""] if isinstance(found, Found) else ()
            root["item"] = items or (_ANY,)
        return cls(root)

    def resolve(self, path: str) -> Found | str:
        """Where ``path`` leads, or why it leads nowhere (with a did-you-mean)."""
        segments = path.split(".")
        options: tuple[Node, ...] = (self.root,)
        walked: list[str] = []
        for segment in segments:
            nexts: list[Node] = []
            whys: list[str] = []
            for option in options:
                step = _step(option, segment)
                (whys.append(step) if isinstance(step, str) else nexts.extend(step))
            if not nexts:
                at = ".".join(walked) or ("the list element" if self.relative else "the message")
                # of the alternatives' reasons, a did-you-mean helps most
                why = next((w for w in whys if "did you mean" in w), whys[0] if whys else "")
                return f"{at} has no field {segment!r}{why}"
            options = tuple(nexts)
            walked.append(segment)
        return Found(options)

    def element(self, found: Found) -> Scope:
        """The scope of one element of the list ``found`` leads to."""
        items: list[Node] = []
        for option in found.options:
            inner = _ANY if option is _ANY else _list_item(option)
            if inner is not None:
                items.append(inner)
        return Scope({"": tuple(items)}, relative=True)

    def check(self, path: str) -> str | None:
        found = self.resolve(path)
        return found if isinstance(found, str) else None


def _step(node: Node, segment: str) -> list[Node] | str:
    """The annotations one ``segment`` below ``node`` leads to, or a suggestion text."""
    if node is _ANY:
        return [_ANY]
    if isinstance(node, dict):
        if "" in node and len(node) == 1:  # a relative scope: the segment steps into the items
            out: list[Node] = []
            why = ""
            for inner in node[""]:
                step = _step(inner, segment)
                if isinstance(step, str):
                    why = why or step
                else:
                    out.extend(step)
            return out or why
        if segment in node:
            return list(node[segment])
        return suggest(segment, node)
    nexts: list[Node] = []
    why = ""
    for option in _alternatives(node):
        step = _one(option, segment)
        if isinstance(step, str):
            why = why or step
        else:
            nexts.extend(step)
    return nexts or why


def _one(option: Node, segment: str) -> list[Node] | str:
    if option is Any or option is _ANY:
        return [_ANY]
    if isinstance(option, type) and issubclass(option, BaseModel):
        fields = option.model_fields
        if segment in fields:
            return [fields[segment].annotation]
        return suggest(segment, fields)
    item = _list_item(option)
    if item is not None:
        if segment.isdigit() or segment in QUANTIFIERS:  # .0, or .all./.any. over the list
            return [item]
        return " (it is a list: take one element by its number, e.g. .0, or use any/all)"
    origin = typing.get_origin(option)
    if origin in (dict, Mapping) or option is dict:
        args = typing.get_args(option)
        return [args[1] if len(args) == 2 else _ANY]
    return " (it is a single value, it has no fields)"


def _alternatives(node: Node) -> list[Node]:
    """``X | None``, ``Annotated[X, ...]`` and unions unwrapped to their members."""
    origin = typing.get_origin(node)
    if origin is typing.Annotated:
        return _alternatives(typing.get_args(node)[0])
    if origin in (typing.Union, types.UnionType):
        out: list[Node] = []
        for arg in typing.get_args(node):
            if arg is not type(None):
                out.extend(_alternatives(arg))
        return out
    return [node]


def _list_item(node: Node) -> Node | None:
    for option in _alternatives(node):
        if typing.get_origin(option) in (list, tuple, Sequence) or option is list:
            args = typing.get_args(option)
            return args[0] if args else _ANY
    return None
