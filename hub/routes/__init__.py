"""routes.yaml: the route table's model, its loader with file:line errors, and predicates.

    table = load_routes(Path("routes.yaml"), known_plugins=installed())
    router = hub.router.Router(table)
"""

from hub.routes.durations import parse_duration
from hub.routes.loader import load_routes, parse_routes
from hub.routes.model import (
    DEFAULT_POLICY_NAME,
    Aggregate,
    AllOf,
    AnyOf,
    Compare,
    Condition,
    ConnectorSpec,
    Not,
    Route,
    RoutesFileError,
    RouteTable,
)
from hub.routes.predicates import Predicate, compile_condition, getter, parse_path

__all__ = [
    "DEFAULT_POLICY_NAME",
    "Aggregate",
    "AllOf",
    "AnyOf",
    "Compare",
    "Condition",
    "ConnectorSpec",
    "Not",
    "Predicate",
    "Route",
    "RouteTable",
    "RoutesFileError",
    "compile_condition",
    "getter",
    "load_routes",
    "parse_duration",
    "parse_path",
    "parse_routes",
]
