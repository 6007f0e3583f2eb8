"""What gridhub imports at run time is installed by a plain `pip install .`: every third-party
module under hub/, connectors/ and schemas/ belongs to a declared dependency (or to one a
declared dependency itself requires, as pydantic-core to pydantic). A test-only package
imported by a simulator would break the quick start on a fresh machine and nowhere else."""

from __future__ import annotations

import ast
import importlib.metadata as md
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OURS = {"hub", "connectors", "schemas", "__future__"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _imported_modules() -> dict[str, str]:
    """Top-level third-party module -> one file importing it."""
    found: dict[str, str] = {}
    for package in ("hub", "connectors", "schemas"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    modules = [alias.name.split(".")[0] for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules = [node.module.split(".")[0]]
                else:
                    continue
                for module in modules:
                    if module not in sys.stdlib_module_names and module not in OURS:
                        found.setdefault(module, str(path.relative_to(ROOT)))
    return found


def test_every_run_time_import_is_a_declared_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {_name(r) for r in project["dependencies"]}
    allowed = set(declared)
    for dist in declared:  # one level down: what a declared dependency pulls in for sure
        allowed |= {_name(r) for r in md.requires(dist) or [] if "extra ==" not in r}
    owners = md.packages_distributions()
    missing = {module: where for module, where in _imported_modules().items()
               if not {_name(d) for d in owners.get(module, [module])} & allowed}
    assert not missing, f"imported but not in [project].dependencies: {missing}"
