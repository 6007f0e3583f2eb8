"""docker-compose.yml cannot run here: keep it correct by reading it. Every service it names
exists, every command it runs is a real gridhub CLI command with valid options, every
GRIDHUB_* variable it sets is one that routes.yaml, Settings or a simulator flag reads, the
hub publishes its web and metrics port and is health-checked on /readyz, and the data of
RabbitMQ, PostgreSQL and the hub lives in named volumes."""

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
        if args[0].startswith("-"):  # the group's own option (--config FILE) and its value
            option, args = args[:2], args[2:]
            group.make_context("gridhub", [*option, "version"])
            continue
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
    from hub.simulate_cli import simulate

    simulators = {p.envvar for p in simulate.params if isinstance(p.envvar, str)}
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


def _port_of(listen: str) -> str:
    return listen.rsplit(":", 1)[1]


def test_the_hub_publishes_its_web_and_metrics_port_and_the_portals_inbound_port():
    hub = SERVICES["hub"]
    web_port = _port_of(hub["environment"]["GRIDHUB_WEB_LISTEN"])
    published = {p.split(":")[-1]: p.split(":")[0] for p in hub["ports"]}
    assert published.get(web_port) == web_port, f"web port {web_port} not published"
    inbound = hub["environment"]["GRIDHUB_ELSMART_LISTEN_PORT"]
    assert published.get(inbound) == inbound
    assert hub["environment"]["GRIDHUB_WEB_SECRET"].startswith("${GRIDHUB_WEB_SECRET:?")


def test_the_hub_is_health_checked_on_readyz_at_its_web_port():
    hub = SERVICES["hub"]
    check = " ".join(hub["healthcheck"]["test"])
    assert f"127.0.0.1:{_port_of(hub['environment']['GRIDHUB_WEB_LISTEN'])}/readyz" in check
    assert hub["healthcheck"]["test"][0] == "CMD"  # no shell: python is in the image
    for name in ("rabbitmq", "postgres", "hub"):
        assert "test" in SERVICES[name]["healthcheck"], name


def test_every_healthy_condition_names_a_service_with_a_health_check():
    for name, service in SERVICES.items():
        for other, how in (service.get("depends_on") or {}).items():
            if how.get("condition") == "service_healthy":
                assert "healthcheck" in SERVICES[other], f"{name} waits for {other}'s health"


@pytest.mark.parametrize(("name", "path"), [
    ("rabbitmq", "/var/lib/rabbitmq"), ("postgres", "/var/lib/postgresql/data"),
    ("hub", "/app/var")])
def test_data_lives_in_named_volumes(name, path):
    mounts = dict(v.split(":", 1) for v in SERVICES[name]["volumes"])
    volume = {target: source for source, target in mounts.items()}.get(path)
    assert volume is not None, f"{name}: nothing mounted at {path}"
    assert volume in (COMPOSE.get("volumes") or {}), f"{name}: {volume} is not a named volume"
