"""docs/process.md maps the seeds to routes.yaml: every route it names exists, and every route
of the shipped routes.yaml is named there."""

from __future__ import annotations

import re
from pathlib import Path

from hub.routes import load_routes
from tests.support.shipped import SHIPPED_SECRETS

ROOT = Path(__file__).resolve().parents[1]


def test_process_doc_and_routes_name_the_same_routes():
    routes = {r.name for r in load_routes(ROOT / "routes.yaml", env=SHIPPED_SECRETS).routes}
    text = (ROOT / "docs" / "process.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([a-z0-9-]+)`", text))
    wildcards = [n[:-1] for n in re.findall(r"`([a-z0-9-]+-\*)[a-z-]*`", text)]
    covered = {r for r in routes
               if r in named or any(r.startswith(w) for w in wildcards)}
    assert sorted(routes - covered) == []
    unknown = {n for n in named if "-" in n and n not in routes and not n.startswith("test")}
    assert sorted(unknown) == []
