"""``python -m hub.demo.screenshots``: a real run's dashboard and case page as pictures."""

from __future__ import annotations

from click.testing import CliRunner

from hub.demo.screenshots import main
from tests.hub.web.conftest import CHROMIUM


def test_a_run_gives_both_pictures(tmp_path):
    out, run = tmp_path / "docs", tmp_path / "run"
    result = CliRunner().invoke(main, ["--cases", "4", "--seed", "2", "--width", "1280",
                                       "--out", str(out), "--keep", str(run),
                                       "--chromium", CHROMIUM], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    for name in ("dashboard.png", "case-page.png"):
        shot = out / name
        assert f"wrote {shot}" in result.output
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert shot.stat().st_size > 10_000  # a rendered page, not a blank one
    assert (run / "gridhub.db").exists()  # --keep kept the store it was taken from


def test_without_chromium_it_says_what_to_install(tmp_path):
    result = CliRunner().invoke(main, ["--out", str(tmp_path), "--chromium",
                                       str(tmp_path / "no-chromium")])
    assert result.exit_code == 1
    assert f"no Chromium at {tmp_path / 'no-chromium'}" in result.output
    assert "apt-get install chromium" in result.output
    assert not list(tmp_path.iterdir())  # nothing half-made
