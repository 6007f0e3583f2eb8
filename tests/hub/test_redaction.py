"""One redaction for every URL that may carry credentials (issue 13 item 14, issue 20 item 4)."""

from __future__ import annotations

import pytest
import structlog
from click.testing import CliRunner

from hub.redaction import redact_url
from tests.hub.ops.conftest import gridhub_group
from tests.support.hubrun import routes_yaml, running_hub, settings_for

SECRETS = ("ssw0rd", "guest2", "secret3", "p;ss", "hemligt")


@pytest.mark.parametrize(("url", "shown"), [
    ("amqp://gridhub:p@ssw0rd@rabbit", "amqp://***@rabbit"),
    ("amqp://gridhub:p@ssw0rd@rabbit:5672//", "amqp://***@rabbit:5672//"),
    ("amqp://a:5672//;amqp://u:guest2@b:5682//;amqp://v:secret3@c:5683//",
     "amqp://a:5672//;amqp://***@b:5682//;amqp://***@c:5683//"),
    ("amqp://u:p;ss@rabbit//", "amqp://***@rabbit//"),
    ("gridhub:hemligt@mail.example:587", "***@mail.example:587"),
    ("amqp://rabbit:5672//", "amqp://rabbit:5672//"),
    ("embedded:///var/lib/gridhub/broker.db", "embedded:///var/lib/gridhub/broker.db"),
])
def test_credentials_go_whatever_they_contain(url, shown):
    assert redact_url(url) == shown


def test_urls_inside_a_drivers_message_are_redacted_and_the_rest_kept():
    text = ("Couldn't connect to 'amqp://u:p@ssw0rd@h1//;amqp://v:secret3@h2//': "
            "[Errno 111] refused (ask ops@example.se)")
    shown = redact_url(text)
    assert shown == ("Couldn't connect to 'amqp://***@h1//;amqp://***@h2//': "
                     "[Errno 111] refused (ask ops@example.se)")


def test_the_start_up_log_shows_no_password_of_any_broker_address(amqp_url, amqp_namespace,
                                                                   tmp_path):
    # The second and third addresses are never tried: the first one answers.
    multi = f"{amqp_url};amqp://u:guest2@127.0.0.1:1//;amqp://v:secret3@127.0.0.1:2//"
    settings = settings_for(tmp_path, multi, amqp_namespace,
                            routes_yaml({}, "  []\n").replace("connectors:\n", "connectors: {}\n"))
    with structlog.testing.capture_logs() as logs, running_hub(settings):
        pass
    [started] = [e for e in logs if e["event"] == "hub.started"]
    assert started["broker"].count("***@") == 3
    assert not any(secret in started["broker"] for secret in SECRETS)


def test_status_shows_no_password_of_any_broker_address(tmp_path):
    multi = "amqp://u:guest2@127.0.0.1:1//;amqp://v:secret3@127.0.0.1:2//"
    (tmp_path / "routes.yaml").write_text(
        routes_yaml({}, "  []\n").replace("connectors:\n", "connectors: {}\n"))
    env = {"GRIDHUB_BROKER_URL": multi, "GRIDHUB_STORE_URL": f"sqlite:///{tmp_path / 'h.db'}",
           "GRIDHUB_ROUTES": str(tmp_path / "routes.yaml")}
    result = CliRunner().invoke(gridhub_group(), ["status"], env=env)
    assert "127.0.0.1:2" in result.output
    assert not any(secret in result.output for secret in SECRETS)
