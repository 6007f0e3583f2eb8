"""One pydantic settings model per connector, on hub.toolkit.ConnectorSettings: unknown keys
refused, values read one way, every error a ConfigurationError naming the setting (issue 13,
item 10)."""

from __future__ import annotations

import pytest

from connectors.kis import KisConnector
from connectors.metering.settings import MeteringSettings
from connectors.nis import NisConnector
from connectors.webhook import WebhookConnector
from hub.connector import NoInbound
from hub.errors import ConfigurationError

NO = NoInbound("a settings test")
URL = "http://127.0.0.1:1/x"


@pytest.mark.parametrize("connector, name", [(KisConnector, "kis"), (NisConnector, "nis"),
                                             (WebhookConnector, "webhook")])
def test_a_misspelt_setting_is_refused_naming_the_known_ones(connector, name):
    with pytest.raises(ConfigurationError) as info:
        connector({"url": URL, "pasword": "x"}, NO)
    assert info.value.where == f"connectors.{name}.settings"
    assert "unknown setting pasword" in info.value.message and "password" in info.value.message


@pytest.mark.parametrize("connector", [KisConnector, NisConnector, WebhookConnector])
def test_the_http_settings_read_alike(connector):
    built = connector({"url": URL, "timeout": "1500ms", "username": "u", "password": "",
                       "token": ""}, NO)
    assert (built.config.timeout, built.config.username, built.config.password,
            built.config.token) == (1.5, "u", None, None)


@pytest.mark.parametrize("raw, where, match", [
    ({"amqp_url": "amqp://x", "queue": "q"}, "exchange", "exchange is required with amqp_url"),
    ({"events": "http"}, "base_url", "events: http needs base_url"),
    ({"base_url": "ftp://x"}, "base_url", "must be http"),
    ({"base_url": URL, "events_batch": 0}, "events_batch", "at least 1"),
    ({"base_url": URL, "prefetch": "many"}, "prefetch", "whole number"),
])
def test_metering_rules_across_settings_name_the_setting(raw, where, match):
    with pytest.raises(ConfigurationError, match=match) as info:
        MeteringSettings.parse(raw)
    assert info.value.where == f"connectors.metering.settings.{where}"


def test_metering_chooses_its_event_source():
    assert MeteringSettings.parse({"base_url": URL}).feed is True
    assert MeteringSettings.parse({"base_url": URL, "amqp_url": "amqp://x", "exchange": "e",
                                   "queue": "q"}).feed is False
    assert MeteringSettings.parse({}).feed is False


def test_secrets_never_show_in_a_repr_nor_a_url_error():
    settings = MeteringSettings.parse({"base_url": URL, "token": "tok-4711", "password": "pw-1",
                                       "amqp_url": "amqp://u:broker-pw@h", "exchange": "e",
                                       "queue": "q", "events": "amqp"})
    assert settings.token == "tok-4711" and settings.amqp_url == "amqp://u:broker-pw@h"
    shown = repr(settings) + str(settings)
    assert not any(s in shown for s in ("tok-4711", "pw-1", "broker-pw"))
    with pytest.raises(ConfigurationError) as info:
        MeteringSettings.parse({"base_url": "ftp://user:url-pw@host"})
    assert "url-pw" not in str(info.value) and "scheme 'ftp'" in str(info.value)
