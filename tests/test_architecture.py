"""The architecture contracts of pyproject.toml ``[tool.importlinter]``, run in the suite.

schemas imports nothing from hub, hub imports no connector, the stages do not use hub.ops, and
the modules of schemas have no import cycle: ``lint-imports`` names each broken arrow.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_import_contracts_hold():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    done = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    report = done.stdout + done.stderr
    assert done.returncode == 0, report
    assert " 0 broken" in report, report
    for name in ("schemas (the contract) imports nothing from hub",
                 "hub imports no connector",
                 "do not use the operations code (hub.ops)",
                 "the modules of schemas import each other in one direction only"):
        assert name in " ".join(report.split()), f"contract {name!r} did not run:\n{report}"
