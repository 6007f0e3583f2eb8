"""Query plans: which tables a statement reads whole and which indexes it looks up.

For ``bench.store_growth`` (prints the plans of the slowest queries) and for the suite's
plan tests, which catch a query that stopped using its index without timing anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa


@dataclass(frozen=True)
class Plan:
    """``text``: the plan as the database prints it. ``scanned``: tables read whole (a
    sequential scan, or a full walk of an index without a condition). ``searched``: indexes
    looked up with a condition (the primary key of a SQLite table as ``<table>:pk``)."""

    text: str
    scanned: frozenset[str]
    searched: frozenset[str]


def explain(conn: sa.Connection, stmt: sa.ClauseElement) -> Plan:
    """The plan ``conn``'s database makes for ``stmt`` (its parameters bound as compiled)."""
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    return explain_sql(conn, str(compiled), compiled.params)


def explain_sql(conn: sa.Connection, sql: str, params: Any) -> Plan:
    """The plan of ``sql`` as the driver takes it (e.g. recorded from a cursor execute)."""
    if conn.dialect.name == "sqlite":
        return _sqlite(conn, sql, params)
    return _postgresql(conn, sql, params)


def _sqlite(conn: sa.Connection, sql: str, params: Any) -> Plan:
    rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", _positional(params)).all()
    lines = [str(r[-1]) for r in rows]
    scanned, searched = set(), set()
    for line in lines:
        words = line.split()
        if len(words) < 2 or words[0] not in ("SCAN", "SEARCH"):
            continue  # USE TEMP B-TREE, COMPOUND QUERY, LIST SUBQUERY, ...
        table = words[1]
        if words[0] == "SCAN":
            scanned.add(table)
        elif "INDEX" in words:
            searched.add(words[words.index("INDEX") + 1])
        else:  # "SEARCH t USING INTEGER PRIMARY KEY (rowid=?)"
            searched.add(f"{table}:pk")
    return Plan("\n".join(lines), frozenset(scanned), frozenset(searched))


def _positional(params: Any) -> Any:
    # The sqlite compiler's params are named but its SQL uses "?" in the same order.
    return tuple(params.values()) if isinstance(params, dict) else params


def _postgresql(conn: sa.Connection, sql: str, params: Any) -> Plan:
    text = "\n".join(str(r[0]) for r in conn.exec_driver_sql(f"EXPLAIN {sql}", params).all())
    doc = conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {sql}", params).scalar_one()
    scanned: set[str] = set()
    searched: set[str] = set()
    _walk(doc[0]["Plan"], scanned, searched)
    return Plan(text, frozenset(scanned), frozenset(searched))


def _walk(node: dict[str, Any], scanned: set[str], searched: set[str]) -> None:
    kind = node.get("Node Type", "")
    if kind == "Seq Scan":
        scanned.add(node["Relation Name"])
    elif "Index Name" in node:
        (searched if "Index Cond" in node else scanned).add(
            node["Index Name"] if "Index Cond" in node else node.get("Relation Name", ""))
    for child in node.get("Plans", []):
        _walk(child, scanned, searched)
