"""``scripts/screenshots``: a real run's dashboard and case page as pictures (run as a person
runs it, in its own process)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.hub.web.conftest import CHROMIUM

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "screenshots.py"


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300, check=False)


def test_a_run_gives_both_pictures(tmp_path):
    out, run = tmp_path / "docs", tmp_path / "run"
    result = _run("--cases", "4", "--seed", "2", "--width", "1280", "--out", str(out),
                  "--keep", str(run), "--chromium", CHROMIUM, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    for name in ("dashboard.png", "case-page.png"):
        shot = out / name
        assert f"wrote {shot}" in result.stdout
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert shot.stat().st_size > 10_000  # a rendered page, not a blank one
    assert (run / "gridhub.db").exists()  # --keep kept the store it was taken from


def test_without_chromium_it_says_what_to_install(tmp_path):
    result = _run("--out", str(tmp_path / "docs"), "--chromium", str(tmp_path / "no-chromium"),
                  cwd=tmp_path)
    assert result.returncode == 1
    assert f"no Chromium at {tmp_path / 'no-chromium'}" in result.stderr
    assert "apt-get install chromium" in result.stderr
    assert not list(tmp_path.iterdir())  # nothing half-made
