"""``gridhub simulate`` takes flags (documented in --help), not environment variables, and
each simulator listens by default where the shipped routes.yaml points."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from connectors.elhub import ElhubConnector
from hub.cli import main
from hub.simulate_cli import simulator_options
from hub.simulator import load
from tests.connectors.elhub.conftest import (  # noqa: F401 - fixtures
    KeyPair,
    RecordingInbound,
    inbound,
    keypair,
    settings_for,
    start_simulator,
    store,
)
from tests.connectors.elhub.test_documents import NEW, updated

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = (ROOT / "routes.yaml").read_text(encoding="utf-8")


def _shipped_default(variable: str) -> str:
    found = re.search(r"\$\{" + variable + r":-([^}]*)\}", SHIPPED)
    assert found, f"routes.yaml has no default for {variable}"
    return found.group(1)


def test_help_lists_every_flag_and_the_simulators_it_applies_to():
    result = CliRunner().invoke(main, ["simulate", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    for flag in ("--gridhub-url", "--amqp-url", "--step", "--trusted-cert", "--password"):
        assert flag in text
    assert "[metering]" in text and "[elsmart]" in text and "GRIDHUB_SIM_PASSWORD" in text


def test_flags_reach_the_simulator_that_takes_them():
    elsmart = load("elsmart")
    options = simulator_options("elsmart", elsmart, {
        "gridhub_url": "http://127.0.0.1:8201/elsmart", "gridhub_user": "elsmart",
        "gridhub_password": "pw", "amqp_url": None})
    sim = elsmart(**options)
    assert sim.gridhub_url == "http://127.0.0.1:8201/elsmart"
    assert sim.gridhub_auth == ("elsmart", "pw")
    metering = load("metering")
    sim = metering(**simulator_options("metering", metering, {
        "amqp_url": "amqp://guest:guest@127.0.0.1:5672//", "step": 5.0}))
    assert (sim.amqp_url, sim.step_interval) == ("amqp://guest:guest@127.0.0.1:5672//", 5.0)


def test_a_flag_for_another_simulator_is_a_usage_error_naming_it():
    result = CliRunner().invoke(main, ["simulate", "kis", "--port", "0",
                                       "--amqp-url", "amqp://x"])
    assert result.exit_code == 2
    assert "--amqp-url does not apply to the kis simulator" in result.output


def test_the_simulators_read_no_environment_variables():
    for path in (ROOT / "connectors").glob("*/simulator.py"):
        assert "os.environ" not in path.read_text(encoding="utf-8"), path


@pytest.mark.parametrize(("variable", "name"), [
    ("GRIDHUB_ELSMART_URL", "elsmart"), ("GRIDHUB_KIS_URL", "kis"), ("GRIDHUB_NIS_URL", "nis"),
    ("GRIDHUB_METERING_URL", "metering"), ("GRIDHUB_ELHUB_URL", "elhub"),
    ("GRIDHUB_SMTP_PORT", "notify")])
def test_each_simulator_listens_by_default_where_routes_yaml_points(variable, name):
    shipped = _shipped_default(variable)
    port = int(shipped) if shipped.isdigit() else urlsplit(shipped).port
    assert port == load(name).default_port


def test_the_shipped_elhub_url_reaches_the_simulator(keypair: KeyPair,  # noqa: F811
                                                     inbound: RecordingInbound):  # noqa: F811
    sim = start_simulator(keypair)
    try:
        shipped = urlsplit(_shipped_default("GRIDHUB_ELHUB_URL"))
        url = shipped._replace(netloc=f"127.0.0.1:{sim.port}").geturl()
        connector = ElhubConnector(settings_for(sim, keypair, url=url), inbound)
        (reply,) = connector.deliver(updated("new", **NEW))
        assert reply.payload["status"] == "39"
    finally:
        sim.stop()


def test_routes_gives_the_simulator_the_connectors_own_contract(tmp_path: Path):
    # `gridhub simulate kis --routes FILE` (issue 18) kept after simulate moved to flags
    from hub.simulate_cli import _connector_settings

    routes, own = tmp_path / "routes.yaml", tmp_path / "own.yaml"
    own.write_text((ROOT / "connectors" / "kis" / "mapping.yaml").read_text(encoding="utf-8"),
                   encoding="utf-8")
    routes.write_text("version: 1\nconnectors:\n  kis:\n    plugin: kis\n    settings:\n"
                      f"      url: http://127.0.0.1:8102/kis\n      mapping: {own}\n"
                      "routes:\n  - {name: r, match: {type: facility.lookup.requested}, "
                      "to: [kis]}\n", encoding="utf-8")
    assert _connector_settings("kis", routes)["mapping"] == str(own)
    result = CliRunner().invoke(main, ["simulate", "nis", "--port", "0", "--routes",
                                       str(routes)])
    assert result.exit_code == 3
    assert "no connector 'nis'" in result.output
