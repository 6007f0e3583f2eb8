"""deploy/systemd/gridhub.service: systemd's own checker finds nothing to warn about, and the
unit runs a real gridhub command as an unprivileged user."""

from __future__ import annotations

import configparser
import shlex
import subprocess
from pathlib import Path

from tests.deploy.manifests import DEPLOY
from tests.test_compose import _resolve

UNIT = DEPLOY / "systemd" / "gridhub.service"
VENV_GRIDHUB = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "gridhub"


def _verify(unit_text: str, tmp_path: Path) -> str:
    """systemd-analyze verify's complaints (it exits 0 on unknown keys: read what it says)."""
    path = tmp_path / "gridhub.service"
    # The installed path does not exist here: point at this checkout's gridhub.
    path.write_text(unit_text.replace("/opt/gridhub/bin/gridhub", str(VENV_GRIDHUB)))
    done = subprocess.run(["systemd-analyze", "verify", str(path)], capture_output=True,
                          text=True, timeout=60)
    return (done.stdout + done.stderr).strip() + ("" if done.returncode == 0 else " (failed)")


def test_systemd_finds_nothing_to_complain_about(tmp_path):
    assert _verify(UNIT.read_text(), tmp_path) == ""


def test_the_check_catches_a_bad_unit(tmp_path):
    bad = UNIT.read_text().replace("Restart=on-failure", "Restart=sometimes")
    assert "restart" in _verify(bad, tmp_path).lower()


def test_the_unit_runs_gridhub_unprivileged_and_stops_it_gently():
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(UNIT)
    service = unit["Service"]
    argv = shlex.split(service["ExecStart"])
    assert argv[0].endswith("/gridhub")
    _resolve(["gridhub", *argv[1:]])
    assert service["User"] not in ("", "root")
    assert service["KillSignal"] == "SIGTERM" and int(service["TimeoutStopSec"]) >= 30
    assert service["RestartPreventExitStatus"] == "3"  # a configuration error: do not loop
    assert service["EnvironmentFile"].startswith("/etc/gridhub/")
