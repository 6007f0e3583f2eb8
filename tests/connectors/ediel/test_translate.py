"""`gridhub translate ediel FILE [--to-wire]` on interchanges, like any other connector."""

from __future__ import annotations

import json

from click.testing import CliRunner

from hub.cli import main
from tests.connectors.ediel.conftest import SAMPLES


def _run(*args):
    return CliRunner().invoke(main, list(args))


def test_translate_a_z03_and_back_to_wire(tmp_path):
    result = _run("translate", "ediel", str(SAMPLES / "prodat_z03.edi"))
    assert result.exit_code == 0, result.output
    [doc] = json.loads(result.output)
    assert doc["type"] == "supply.start.notified" and doc["source"] == "ediel"
    values = _run("translate", "ediel", str(SAMPLES / "utilts_e66_hourly.edi"))
    [day] = json.loads(values.output)
    canonical = tmp_path / "values.json"
    canonical.write_text(json.dumps(day))
    back = _run("translate", "ediel", str(canonical), "--to-wire")
    assert back.exit_code == 0, back.output
    assert back.output.startswith("UNA:+.? 'UNB+UNOC:3+54321:ZZ+12345:ZZ+")
    assert "DTM+735:?+0100:406'" in back.output and "STS+8+56'" in back.output


def test_translate_a_broken_interchange_names_the_segment(tmp_path):
    broken = tmp_path / "broken.edi"
    broken.write_bytes((SAMPLES / "prodat_z03.edi").read_bytes().replace(b"UNT+18", b"UNT+9"))
    result = _run("translate", "ediel", str(broken))
    assert result.exit_code == 4
    assert "broken.edi" in result.output and "UNT counts '9'" in result.output


def test_translate_an_acknowledgement_says_what_it_carries(tmp_path):
    result = _run("translate", "ediel", str(SAMPLES / "contrl_positive.edi"))
    assert result.exit_code == 4 and "CONTRL" in result.output
