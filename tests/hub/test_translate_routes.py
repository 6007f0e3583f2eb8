"""gridhub translate --routes FILE --connector NAME, and mapping/xsd settings checked at load
(issue 18 item 1). The vendor-names round trip itself runs in tests/test_extending_walkthrough."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from hub.cli import main
from tests.hub.routes.texts import errors, line

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

ROUTES = """\
version: 1
connectors:
  kis:
    plugin: kis
    settings:
      url: http://127.0.0.1:8102/kis
      mapping: {mapping}
routes:
  - name: lookups
    match: {{type: facility.lookup.requested}}
    to: [kis]
"""


def test_a_mapping_setting_naming_no_file_is_an_error_with_its_line(tmp_path):
    text = ROUTES.format(mapping=tmp_path / "nope.yaml")
    assert errors(text) == [f"routes.yaml:{line(text, 'nope.yaml')}: connectors.kis.settings."
                            f"mapping: no such file: {tmp_path / 'nope.yaml'} (relative paths "
                            f"start at the directory gridhub runs in, {Path.cwd()})"]


def test_translate_with_the_routes_uses_the_settings_mapping(tmp_path):
    packaged = Path(__file__).resolve().parents[2] / "connectors" / "kis" / "mapping.yaml"
    mine = tmp_path / "kis-mapping.yaml"
    # The deployment's mapping reads the status text as the facility's substation too: a
    # change only this file makes, so the output shows which mapping was used.
    mine.write_text(packaged.read_text(encoding="utf-8").replace(
        "facility.substation: k:Facility/k:Substation",
        "facility.substation: k:Status/k:Text"), encoding="utf-8")
    routes = tmp_path / "routes.yaml"
    routes.write_text(ROUTES.format(mapping=mine), encoding="utf-8")
    answer = tmp_path / "answer.xml"
    answer.write_text((EXAMPLES / "extending" / "kis-lookup-answer.xml").read_text(
        encoding="utf-8").replace("Huvudsakring", "MainFuse"), encoding="utf-8")
    runner = CliRunner()
    packaged_out = runner.invoke(main, ["translate", "kis", str(answer)])
    assert packaged_out.exit_code == 0, packaged_out.output
    assert '"substation": "T115"' in packaged_out.output
    mine_out = runner.invoke(main, ["translate", "--routes", str(routes), "--connector", "kis",
                                    str(answer)])
    assert mine_out.exit_code == 0, mine_out.output
    assert '"substation": "Träff i anläggningsregistret"' in mine_out.output


def test_translate_names_the_declared_connectors_and_wants_its_arguments(tmp_path):
    routes = tmp_path / "routes.yaml"
    routes.write_text(ROUTES.format(mapping=Path(__file__)), encoding="utf-8")
    runner = CliRunner()
    unknown = runner.invoke(main, ["translate", "--routes", str(routes), "--connector", "gis",
                                   str(routes)])
    assert unknown.exit_code == 3 and "no connector 'gis' (declared: kis)" in unknown.output
    usage = runner.invoke(main, ["translate", str(routes)])
    assert usage.exit_code == 2
    assert "give CONNECTOR FILE, or --routes FILE --connector NAME FILE" in usage.output
