"""Connectors stand on the connector toolkit (hub.toolkit) and the canonical model (schemas) only.

The contract lives in pyproject.toml ([tool.importlinter], id connectors-toolkit) and is checked
here with import-linter, so a connector reaching into the hub's insides fails the suite.
"""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import hub.toolkit

ROOT = Path(__file__).resolve().parents[1]


def test_connectors_import_only_the_toolkit_and_schemas():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache", "--contract", "connectors-toolkit"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "1 kept, 0 broken" in result.stdout


def test_every_name_the_toolkit_offers_is_declared_public():
    offered = {name for name, value in vars(hub.toolkit).items()
               if not name.startswith("_") and not inspect.ismodule(value)}
    assert offered <= set(hub.toolkit.__all__)
    assert all(hasattr(hub.toolkit, name) for name in hub.toolkit.__all__)
    assert len(hub.toolkit.__all__) == len(set(hub.toolkit.__all__))
