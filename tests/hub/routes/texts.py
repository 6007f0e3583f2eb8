"""Building routes.yaml texts for the loader tests, and reading their errors."""

from __future__ import annotations

from textwrap import dedent
from typing import Any

import pytest

from hub.routes import RoutesFileError, RouteTable, parse_routes

HEAD = """\
version: 1
retry_policies:
  patient: {delayed: 20, initial_delay: 10s, max_delay: 30m, max_age: 3d}
connectors:
  kis: {plugin: kis, settings: {url: "http://127.0.0.1:8102/kis"}}
  nis: {plugin: nis}
  metering: {plugin: metering}
routes:
"""

GOOD_ROUTE = """\
  - name: lookups
    match: {type: facility.lookup.requested}
    to: [kis]
"""


def doc(routes: str = GOOD_ROUTE, head: str = HEAD) -> str:
    """HEAD (or ``head``) followed by ``routes`` (dedented to the routes list's indent)."""
    body = dedent(routes).lstrip("\n")
    return head + "".join(f"  {ln}\n" if ln else "\n" for ln in body.splitlines())


def line(text: str, needle: str) -> int:
    """The 1-based line of the one line of ``text`` containing ``needle``."""
    hits = [n for n, ln in enumerate(text.splitlines(), start=1) if needle in ln]
    assert len(hits) == 1, f"{needle!r} is on lines {hits}, want exactly one"
    return hits[0]


def parse(text: str, **kwargs: Any) -> RouteTable:
    kwargs.setdefault("env", {})
    return parse_routes(text, filename="routes.yaml", **kwargs)


def errors(text: str, **kwargs: Any) -> list[str]:
    with pytest.raises(RoutesFileError) as info:
        parse(text, **kwargs)
    assert str(info.value).count("\n") == len(info.value.errors)  # header + one per error
    return info.value.errors


def one_error(text: str, **kwargs: Any) -> str:
    found = errors(text, **kwargs)
    assert len(found) == 1, "\n".join(found)
    return found[0]


def assert_error(text: str, needle: str, key: str, fragment: str, **kwargs: Any) -> None:
    """Exactly one error, on the line of ``needle``, naming ``key``, saying ``fragment``."""
    found = one_error(text, **kwargs)
    prefix = f"routes.yaml:{line(text, needle)}: {key}: "
    assert found.startswith(prefix), f"{found!r} does not start with {prefix!r}"
    assert fragment in found, f"{fragment!r} not in {found!r}"
