"""routes.yaml text -> plain values plus the line of every key path, and the error collector.

PyYAML's own constructor keeps the last of two equal keys and forgets where anything was,
so the document is built here from the composed node tree: duplicate keys are errors, and
every value's key path (``routes[2].to[1]``) remembers its 1-based line.

Plain scalars follow the YAML 1.2 core schema, not PyYAML's 1.1 one: only true/false are
booleans, so ``NO`` (Norway), ``on`` and ``yes`` stay strings, and dates stay strings.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import yaml

from hub.routes.model import RoutesFileError

_INT = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_NULL = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})


@dataclass
class Issues:
    """Collects errors as ``FILE:LINE: path: why``; :meth:`raise_if_any` raises them all."""

    filename: str
    lines: dict[str, int] = field(default_factory=dict)
    errors: list[tuple[int, str]] = field(default_factory=list)

    def line_of(self, path: str) -> int:
        """The line of ``path``, or of its nearest ancestor that has one (a missing key)."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = _parent(path)
        return self.lines.get("", 1)

    def add(self, path: str, why: str, *, line: int | None = None) -> None:
        at = line if line is not None else self.line_of(path)
        where = f"{path}: " if path else ""
        self.errors.append((at, f"{self.filename}:{at}: {where}{why}"))

    def raise_if_any(self) -> None:
        if self.errors:
            # Stable order by line, so the report reads top to bottom like the file.
            ordered = [text for _, text in sorted(self.errors, key=lambda e: e[0])]
            raise RoutesFileError(self.filename, ordered)


def _parent(path: str) -> str:
    cut = max(path.rfind("."), path.rfind("["))
    return path[:cut] if cut > 0 else ""


def child(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def item(path: str, index: int) -> str:
    return f"{path}[{index}]"


def known_keys(mapping: dict[str, Any], path: str, allowed: Iterable[str],
               issues: Issues) -> None:
    """An error for every key of ``mapping`` not in ``allowed``, with a did-you-mean."""
    allowed = tuple(allowed)
    for key in mapping:
        if key not in allowed:
            issues.add(child(path, key), f"unknown key {key!r}{suggest(key, allowed)} "
                       f"(allowed here: {', '.join(allowed)})")


def suggest(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for a close choice, else empty."""
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def read(text: str, issues: Issues) -> Any:
    """The document as plain Python values; syntax errors and duplicate keys go to ``issues``.

    Returns None when the text is not YAML at all (the syntax error is recorded).
    """
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        issues.add("", f"YAML syntax: {exc.problem or exc.context}", line=line)
        return None
    except yaml.YAMLError as exc:  # not marked: e.g. a bad byte in the stream
        issues.add("", f"YAML syntax: {exc}", line=1)
        return None
    if node is None:
        issues.add("", "the file is empty; it needs version, connectors and routes", line=1)
        return None
    issues.lines[""] = node.start_mark.line + 1
    return _build(node, "", issues)


def _build(node: yaml.Node, path: str, issues: Issues) -> Any:
    if isinstance(node, yaml.MappingNode):
        return _mapping(node, path, issues)
    if isinstance(node, yaml.SequenceNode):
        values = []
        for index, sub in enumerate(node.value):
            sub_path = item(path, index)
            issues.lines[sub_path] = sub.start_mark.line + 1
            values.append(_build(sub, sub_path, issues))
        return values
    assert isinstance(node, yaml.ScalarNode)
    return _scalar(node)


def _mapping(node: yaml.MappingNode, path: str, issues: Issues) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        if not isinstance(key_node, yaml.ScalarNode):
            issues.add(path, "a key must be a plain name, not a list or mapping", line=line)
            continue
        key = str(key_node.value)
        key_path = child(path, key)
        if key == "<<":
            issues.add(key_path, "merge keys (<<) are not supported; repeat the values or "
                       "use an alias (*name) for the whole value", line=line)
            continue
        if key in result:
            issues.add(key_path, f"duplicate key {key!r} (first at line "
                       f"{issues.lines[key_path]}); YAML would silently keep the last",
                       line=line)
            continue
        issues.lines[key_path] = line
        result[key] = _build(value_node, key_path, issues)
    return result


def _scalar(node: yaml.ScalarNode) -> Any:
    text = str(node.value)
    if node.style is not None:  # quoted or block scalars are always strings
        return text
    if text in _NULL:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    return text
