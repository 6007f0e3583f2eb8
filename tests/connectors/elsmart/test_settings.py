"""elsmart settings: durations, required inbound credentials, errors naming the key."""

from __future__ import annotations

import pytest

from connectors.elsmart.settings import ElsmartSettings
from hub.errors import ConfigurationError


@pytest.mark.parametrize(("raw", "expected"), [(10, 10.0), ("2.5", 2.5), ("500ms", 0.5),
                                               ("10s", 10.0), ("1m", 60.0)])
def test_durations(raw, expected):
    assert ElsmartSettings.parse({"timeout": raw}).timeout == expected


@pytest.mark.parametrize("raw", ["soon", "0", -1, "5 fortnights"])
def test_bad_durations_name_the_key(raw):
    with pytest.raises(ConfigurationError) as info:
        ElsmartSettings.parse({"timeout": raw})
    assert info.value.where == "connectors.elsmart.settings.timeout"


def test_inbound_endpoint_requires_credentials():
    with pytest.raises(ConfigurationError, match="requires authentication"):
        ElsmartSettings.parse({"listen_port": 8601, "inbound_username": "portal"})
    ok = ElsmartSettings.parse({"listen_port": "8601", "inbound_username": "portal",
                                "inbound_password": "s3cret"})
    assert ok.listen_port == 8601


def test_unknown_key_bad_url_and_bad_port_are_named():
    with pytest.raises(ConfigurationError, match=r"unknown setting.*pasword"):
        ElsmartSettings.parse({"pasword": "x"})
    with pytest.raises(ConfigurationError, match="http"):
        ElsmartSettings.parse({"url": "ftp://portal"})
    with pytest.raises(ConfigurationError) as info:
        ElsmartSettings.parse({"listen_port": 70000, "inbound_username": "a",
                               "inbound_password": "b"})
    assert info.value.where.endswith("listen_port")
