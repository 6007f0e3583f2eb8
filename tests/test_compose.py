"""docker-compose.yml cannot run here: keep it correct by reading it. Every service it names
exists, every command it runs is a real gridhub CLI command with valid options, and every
GRIDHUB_* variable it sets is one that routes.yaml, Settings or a simulator reads."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest
import yaml

from hub.cli import main
from hub.config import Settings
from hub.simulator import available

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
_SIM_ENV = re.compile(r"""env(?:iron)?(?:\.get\(|\[)\s*["'](GRIDHUB_\w+)["']""")


def _cli() -> click.Group:
    return main


def _gridhub_calls(command: list[str] | str) -> list[list[str]]:
    """The gridhub invocations of a command: a list, or a ``sh -c "a && exec b"`` line."""
    argv = shlex.split(command) if isinstance(command, str) else list(command)
    if argv[:2] == ["sh", "-c"]:
        calls = []
        for part in re.split(r"&&|;", argv[2]):
            words = shlex.split(part)
            calls.append(words[1:] if words[:1] == ["exec"] else words)
        return calls
    return [argv]


def _resolve(argv: list[str]) -> click.Command:
    """Parse ``argv`` (starting with gridhub) with click, as the CLI would; raise if not."""
    assert argv[0] == "gridhub", f"{argv}: not a gridhub command"
    group: click.Command = _cli()
    args = argv[1:]
    while isinstance(group, click.Group):
        name, args = args[0], args[1:]
        assert name in group.commands, f"{argv}: no command {name!r} in {sorted(group.commands)}"
        group = group.commands[name]
    group.make_context(argv[-1], list(args))  # bad options or values raise UsageError
    if group.name == "simulate":
        assert args[0] in available(), f"{argv}: no simulator {args[0]!r}"
    return group


def _allowed_variables() -> set[str]:
    routes = set(re.findall(r"\$\{(GRIDHUB_\w+)", (ROOT / "routes.yaml").read_text()))
    settings = {f"GRIDHUB_{name.upper()}" for name in Settings.model_fields} | {
        "GRIDHUB_CONFIG"}
    simulators = {v for path in (ROOT / "connectors").glob("*/simulator.py")
                  for v in _SIM_ENV.findall(path.read_text(encoding="utf-8"))}
    return routes | settings | simulators


def test_every_dependency_names_a_service():
    for name, service in SERVICES.items():
        needs = service.get("depends_on") or []
        for other in list(needs) + list(service.get("links") or []):
            assert other.split(":")[0] in SERVICES, f"{name} depends on unknown {other!r}"


def test_the_parts_are_there():
    images = {s.get("image", "") for s in SERVICES.values()}
    assert {"rabbitmq:3-management", "postgres:15"} <= images
    simulated = {_gridhub_calls(s["command"])[0][2] for s in SERVICES.values()
                 if "command" in s and _gridhub_calls(s["command"])[0][1:2] == ["simulate"]}
    assert simulated == available()  # every back end gridhub talks to
    hub_env = SERVICES["hub"]["environment"]
    assert hub_env["GRIDHUB_BROKER_URL"].startswith("amqp://")
    assert hub_env["GRIDHUB_STORE_URL"].startswith("postgresql+psycopg://")
    assert "demo" in SERVICES


@pytest.mark.parametrize("name", sorted(n for n, s in SERVICES.items() if "command" in s))
def test_every_command_is_a_real_cli_command(name):
    for argv in _gridhub_calls(SERVICES[name]["command"]):
        _resolve(argv)


def test_a_wrong_command_or_option_is_caught():
    with pytest.raises(AssertionError, match="no command"):
        _resolve(["gridhub", "simulat", "kis"])
    with pytest.raises(click.UsageError):
        _resolve(["gridhub", "simulate", "kis", "--prot", "1"])
    with pytest.raises(AssertionError, match="no simulator"):
        _resolve(["gridhub", "simulate", "sap", "--port", "1"])


def test_every_gridhub_variable_is_read_by_someone():
    allowed = _allowed_variables()
    assert "GRIDHUB_ELSMART_URL" in allowed and "GRIDHUB_BROKER_URL" in allowed
    for name, service in SERVICES.items():
        env = service.get("environment") or {}
        for variable in env:
            if variable.startswith("GRIDHUB_"):
                assert variable in allowed, f"{name}: {variable} is read by nothing"


def test_hub_points_every_connector_at_its_simulator():
    env = SERVICES["hub"]["environment"]
    for variable, service in (("GRIDHUB_ELSMART_URL", "elsmart"), ("GRIDHUB_KIS_URL", "kis"),
                              ("GRIDHUB_NIS_URL", "nis"), ("GRIDHUB_METERING_URL", "metering"),
                              ("GRIDHUB_ELHUB_URL", "elhub"), ("GRIDHUB_SMTP_HOST", "notify")):
        assert service in env[variable], f"{variable} does not point at {service}"
        assert service in SERVICES["hub"]["depends_on"]


def test_the_image_it_builds_holds_what_the_commands_need():
    assert all(s.get("build", ".") == "." for s in SERVICES.values() if "build" in s)
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    copied = {line.split()[1] for line in dockerfile.splitlines() if line.startswith("COPY")}
    # the packages pyproject installs, and the routes the hub runs by default
    assert {"hub", "connectors", "schemas", "routes.yaml", "pyproject.toml"} <= copied
    assert "pip install" in dockerfile and '"gridhub"' in dockerfile
