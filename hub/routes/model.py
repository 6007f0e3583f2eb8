"""The route table as loaded from routes.yaml: plain frozen values, no behaviour.

The loader (``hub.routes.loader``) builds these after validating every key; the router
(``hub.router``) compiles them once into fast closures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from typing import Any

from hub.errors import ConfigurationError
from hub.retry import RetryPolicy

DEFAULT_POLICY_NAME = "default"


@dataclass(frozen=True)
class ConnectorSpec:
    """A connector instance: its name in routes.yaml, the plugin it runs, its settings.

    ``settings`` has ``${ENV}`` references already expanded; values are passed on as written.
    """

    name: str
    plugin: str
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Compare:
    """``{field: path, <op>: value}``. For ``matches`` the value is the compiled pattern."""

    field: str
    op: str
    value: Any


@dataclass(frozen=True)
class AllOf:
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    condition: Condition


@dataclass(frozen=True)
class ListCondition:
    """``{field: LIST, any|all: CONDITION}``: the condition holds for some (``any``) or every
    (``all``) element of the list at ``field``; paths inside are relative to the element. A
    missing or empty list satisfies neither (a rule must see something to approve it)."""

    field: str
    quantifier: str  # "any" | "all"
    condition: Condition


Condition = Compare | AllOf | AnyOf | Not | ListCondition


@dataclass(frozen=True)
class Aggregate:
    """Wait for one message of each part type per case, then emit ``emit``.

    ``parts`` maps a part name (its key in the emitted payload) to its message type.
    """

    parts: dict[str, str]
    timeout_s: float
    emit: str
    correlate: str = "case_id"

    @property
    def types(self) -> frozenset[str]:
        return frozenset(self.parts.values())


NO_DEFAULT: Any = object()


@dataclass(frozen=True)
class From:
    """A template leaf: the value at the first of ``paths`` that is present, else ``default``
    (when given), else the key is left out of the emitted payload."""

    paths: tuple[str, ...]
    default: Any = NO_DEFAULT


@dataclass(frozen=True)
class Emit:
    """Emit a new message of ``type`` built from ``payload``: constants and :class:`From`
    leaves, nested in dicts and lists (Camel's transform / content enricher)."""

    type: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class Deadline:
    """A date field whose values are due by ``at`` (local ``timezone``) ``days_after`` it."""

    field: str
    at: time
    timezone: str
    days_after: int = 1


@dataclass(frozen=True)
class Route:
    """One entry of ``routes:``: ``to`` (optionally with ``split``) and/or ``emit``, or
    ``aggregate``; ``deadline`` flags late messages in the trace and metrics."""

    name: str
    types: tuple[str, ...]
    where: Condition | None = None
    to: tuple[str, ...] = ()
    split: str | None = None
    retry: str = DEFAULT_POLICY_NAME
    aggregate: Aggregate | None = None
    description: str = ""
    line: int = 0
    emit: tuple[Emit, ...] = ()
    deadline: Deadline | None = None
    with_case: bool = False  # deliveries carry the case as it stands, under payload.case
    each: str | None = None  # emit once per element of this list (read as item.)


@dataclass(frozen=True)
class RouteTable:
    """Everything routes.yaml declares. ``policies`` always holds ``default``."""

    version: int
    policies: dict[str, RetryPolicy]
    connectors: dict[str, ConnectorSpec]
    routes: list[Route]
    filename: str = "routes.yaml"
    grid_owners: dict[str, Any] = field(default_factory=dict)  # GLN -> GridOwnerConfig

    def route(self, name: str) -> Route:
        for route in self.routes:
            if route.name == name:
                return route
        raise KeyError(name)


class RoutesFileError(ConfigurationError):
    """routes.yaml is invalid. ``errors`` lists every problem as ``FILE:LINE: key.path: why``."""

    def __init__(self, filename: str, errors: list[str]) -> None:
        count = f"{len(errors)} error{'s' if len(errors) != 1 else ''}"
        super().__init__(f"{filename}: {count}\n" + "\n".join(f"  {e}" for e in errors))
        self.errors = list(errors)

