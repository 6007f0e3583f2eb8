"""docs/extending.md runs as written (issue 18): every ```sh block, in order, in a scratch copy
of the files it uses, with this checkout's gridhub; every line a ```text block shows after a
command (other than the ones elided with ...) is what that command printed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "extending.md"
# What the walkthrough reads from a checkout.
USED = ("examples", "connectors/kis/mapping.yaml", "schemas/contracts/kis/kis.xsd")
_BLOCK = re.compile(r"```(sh|text|yaml)\n(.*?)```", re.S)


def _blocks() -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in _BLOCK.finditer(DOC.read_text(encoding="utf-8"))]


def _checkout_copy(tmp: Path) -> Path:
    for name in USED:
        source, target = ROOT / name, tmp / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy(source, target)
    return tmp


def _run(script: str, cwd: Path) -> str:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    for name in ("GRIDHUB_KIS_URL", "GIS_URL", "GIS_API_KEY", "GRIDHUB_ROUTES"):
        env.pop(name, None)
    done = subprocess.run(["bash", "-e", "-c", script], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, f"{script}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
    return done.stdout + done.stderr


def test_the_walkthrough_runs_as_written_and_prints_what_it_shows(tmp_path):
    cwd = _checkout_copy(tmp_path)
    blocks = _blocks()
    assert sum(kind == "sh" for kind, _ in blocks) >= 6
    printed, everything, exports = "", "", ""
    for kind, text in blocks:
        if kind == "sh":
            # one shell for the reader: what an earlier block exported holds in the later ones
            printed = _run(exports + text, cwd)
            everything += printed
            exports += "".join(f"{ln}\n" for ln in text.splitlines() if ln.startswith("export "))
        elif kind == "text":
            for line in text.splitlines():
                if "..." not in line and line.strip():
                    assert line in printed.splitlines(), f"{line!r} not in:\n{printed}"
    outputs = (cwd / "mine").iterdir()
    assert {p.name for p in outputs} >= {"kis-mapping.yaml", "kis.xsd", "routes.yaml"}
    assert "refused, exit 4" in everything  # the packaged contract refuses the vendor's name
    assert '"main_fuse_a": 25' in everything  # ... the deployment's own files read it
    assert '"gsrn": "735999324554010770"' in everything  # the GIS body has the case's facilities
    assert "refused, exit 3" in everything and "did you mean 'main_fuse_a'?" in everything
    assert "APPLIES flag-big-fuse" in everything


def test_the_gis_mapping_shown_is_the_one_used():
    [shown] = [text for kind, text in _blocks() if kind == "yaml"]
    used = ROOT / "examples" / "extending" / "gis-mapping.yaml"
    assert yaml.safe_load(shown) == yaml.safe_load(used.read_text(encoding="utf-8"))
