"""Connector settings: ${VAR} expansion, defaults, and no plain-text secrets."""

from __future__ import annotations

import pytest

from hub.routes.secrets import is_secret_key
from tests.hub.routes.texts import HEAD, assert_error, doc, errors, parse


def _with_settings(settings: str) -> str:
    return doc(head=HEAD.replace('settings: {url: "http://127.0.0.1:8102/kis"}',
                                 f"settings: {settings}"))


@pytest.mark.parametrize("key", ["password", "db_password", "inbound_password", "secret",
                                 "client_secret", "token", "access_token", "api_key", "apiKey",
                                 "api-key", "private_key", "privateKey", "PASSWORD", "passwd"])
def test_secret_keys(key):
    assert is_secret_key(key)


@pytest.mark.parametrize("key", ["url", "username", "token_url", "password_file", "passive",
                                 "private_key_file", "timeout", "keystore"])
def test_not_secret_keys(key):
    assert not is_secret_key(key)


def test_variables_are_expanded_with_defaults():
    text = _with_settings('{url: "http://${KIS_HOST}:${KIS_PORT:-8102}/kis", '
                          'user: "${KIS_USER:-gridhub}", retries: 3}')
    settings = parse(text, env={"KIS_HOST": "10.0.0.5"}).connectors["kis"].settings
    assert settings == {"url": "http://10.0.0.5:8102/kis", "user": "gridhub", "retries": 3}
    settings = parse(text, env={"KIS_HOST": "h", "KIS_PORT": "9", "KIS_USER": ""}
                     ).connectors["kis"].settings
    assert settings["url"] == "http://h:9/kis" and settings["user"] == ""


def test_variables_are_expanded_in_nested_settings():
    text = _with_settings('{hosts: ["${A}", "${B:-b}"], tls: {ca: "${CA}"}}')
    settings = parse(text, env={"A": "a", "CA": "/etc/ca.pem"}).connectors["kis"].settings
    assert settings == {"hosts": ["a", "b"], "tls": {"ca": "/etc/ca.pem"}}


def test_missing_variable_without_default_names_it():
    text = _with_settings('{url: "${GRIDHUB_KIS_URL}"}')
    assert_error(text, "GRIDHUB_KIS_URL", "connectors.kis.settings.url",
                 "environment variable GRIDHUB_KIS_URL is not set")


def test_malformed_reference():
    text = _with_settings('{url: "${KIS URL}"}')
    assert_error(text, "KIS URL", "connectors.kis.settings.url", "malformed ${...}")


def test_plain_text_secret_is_refused_without_showing_it():
    text = _with_settings("{url: x, password: Sommar2024}")
    assert_error(text, "Sommar2024", "connectors.kis.settings.password",
                 "plain-text secret in 'password'; use ${ENV_VAR}")
    assert "Sommar2024" not in "\n".join(errors(text))


def test_secret_mixed_with_text_or_nested_is_refused():
    text = _with_settings('{url: x, auth: {api_key: "key-${SUFFIX}"}}')
    assert_error(text, "api_key", "connectors.kis.settings.auth.api_key", "plain-text secret")
    text = _with_settings("{url: x, token: 12345}")
    assert_error(text, "token: 12345", "connectors.kis.settings.token", "plain-text secret")


def test_secret_from_the_environment_is_accepted():
    text = _with_settings('{url: x, password: "${KIS_PASSWORD}", token: "${T}", secret: null}')
    settings = parse(text, env={"KIS_PASSWORD": "Sommar2024", "T": ""}
                     ).connectors["kis"].settings
    assert settings == {"url": "x", "password": "Sommar2024", "token": "", "secret": None}


@pytest.mark.parametrize("default", ["realpassword", "simulator", ""])
def test_a_secret_with_a_default_is_refused_without_showing_it(default):
    """Issue 13 item 12: ${UNSET:-realpassword} once passed as an environment reference."""
    text = _with_settings(f'{{url: x, password: "${{GRIDHUB_KIS_PASSWORD:-{default}}}"}}')
    for env in ({}, {"GRIDHUB_KIS_PASSWORD": "set"}):
        assert_error(text, "GRIDHUB_KIS_PASSWORD", "connectors.kis.settings.password",
                     "a secret has no default: write ${GRIDHUB_KIS_PASSWORD} in 'password'",
                     env=env)
    if default:
        assert default not in "\n".join(errors(text, env={}))


def test_an_unset_secret_stops_the_start_naming_the_variable():
    text = _with_settings('{url: x, inbound_password: "${GRIDHUB_KIS_INBOUND_PASSWORD}"}')
    assert_error(text, "GRIDHUB_KIS_INBOUND_PASSWORD", "connectors.kis.settings.inbound_password",
                 "environment variable GRIDHUB_KIS_INBOUND_PASSWORD is not set; "
                 "'inbound_password' is a secret", env={})


def test_variables_outside_connector_settings_are_not_expanded():
    text = doc("""
        - name: lookups
          description: "${NOT_EXPANDED}"
          match: {type: facility.lookup.requested}
          to: [kis]
        """)
    [route] = parse(text, env={"NOT_EXPANDED": "x"}).routes
    assert route.description == "${NOT_EXPANDED}"
