"""The loader: top level, retry policies, connectors and plugins, files, the shipped routes.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.errors import ConfigurationError
from hub.retry import DEFAULT_POLICY, RetryPolicy
from hub.routes import RoutesFileError, load_routes
from tests.hub.routes.texts import HEAD, assert_error, doc, errors, line, one_error, parse
from tests.support.shipped import SHIPPED_SECRETS

ROOT = Path(__file__).resolve().parents[3]


def test_a_valid_file_builds_the_table():
    table = parse(doc())
    assert table.version == 1
    assert set(table.connectors) == {"kis", "nis", "metering"}
    assert table.connectors["kis"].plugin == "kis"
    assert table.connectors["kis"].settings == {"url": "http://127.0.0.1:8102/kis"}
    assert table.connectors["nis"].settings == {}
    [route] = table.routes
    assert (route.name, route.types, route.to, route.retry) == (
        "lookups", ("facility.lookup.requested",), ("kis",), "default")
    assert route.line == line(doc(), "- name: lookups")


def test_default_policy_always_exists_and_durations_are_seconds():
    policies = parse(doc()).policies
    assert policies["default"] == DEFAULT_POLICY
    assert policies["patient"] == RetryPolicy(delayed=20, initial_delay=10, max_delay=1800,
                                              max_age=3 * 86400)


def test_default_policy_can_be_overridden():
    text = doc(head=HEAD.replace("  patient:", "  default: {immediate: 0, delayed: 2}\n  patient:"))
    assert parse(text).policies["default"] == RetryPolicy(immediate=0, delayed=2)


def test_unknown_top_level_key():
    text = doc(head=HEAD.replace("routes:\n", "route_list: []\nroutes:\n"))
    assert_error(text, "route_list", "route_list", "unknown key 'route_list'")


def test_unknown_top_level_key_suggests_the_close_one():
    text = doc(head=HEAD.replace("retry_policies:", "retry_policy:"))
    found = errors(text)
    assert "routes.yaml:2: retry_policy: unknown key 'retry_policy' (did you mean " \
           "'retry_policies'?)" in found[0]


def test_missing_version_and_unsupported_version():
    assert_error(doc(head=HEAD.replace("version: 1\n", "")), "retry_policies:", "version",
                 "version is required")
    assert_error(doc(head=HEAD.replace("version: 1", "version: 2")), "version: 2", "version",
                 "unsupported version 2")


def test_document_that_is_not_a_mapping():
    assert one_error("- a\n- b\n").startswith("routes.yaml:1: the file must be a mapping")


def test_missing_connectors_and_routes_sections():
    found = errors("version: 1\n")
    assert "routes.yaml:1: connectors: connectors is required" in found[0]
    assert "routes.yaml:1: routes: routes is required" in found[1]


def test_unknown_retry_policy_key():
    text = doc(head=HEAD.replace("max_age: 3d}", "max_age: 3d, backoff: 2}"))
    assert_error(text, "backoff", "retry_policies.patient.backoff", "unknown key 'backoff'")


def test_bad_duration_in_a_policy():
    text = doc(head=HEAD.replace("max_delay: 30m", "max_delay: 30 minutes"))
    assert_error(text, "30 minutes", "retry_policies.patient.max_delay",
                 "bad duration '30 minutes'")


def test_policy_that_the_retry_model_refuses_names_the_field():
    text = doc(head=HEAD.replace("delayed: 20", "delayed: 500"))
    assert_error(text, "delayed: 500", "retry_policies.patient.delayed", "less than or equal")


def test_policy_with_max_delay_below_initial_delay():
    text = doc(head=HEAD.replace("max_delay: 30m", "max_delay: 1s"))
    assert_error(text, "patient:", "retry_policies.patient",
                 "max_delay must be at least initial_delay")


def test_policy_number_given_as_text():
    text = doc(head=HEAD.replace("delayed: 20", "delayed: many"))
    assert_error(text, "delayed: many", "retry_policies.patient.delayed", "must be a number")


def test_unknown_connector_key():
    text = doc(head=HEAD.replace("nis: {plugin: nis}", "nis: {plugin: nis, setting: {}}"))
    assert_error(text, "setting: {}", "connectors.nis.setting",
                 "unknown key 'setting' (did you mean 'settings'?)")


def test_connector_without_plugin():
    text = doc(head=HEAD.replace("nis: {plugin: nis}", "nis: {settings: {url: x}}"))
    assert_error(text, "nis: {settings", "connectors.nis.plugin", "plugin is required")


def test_bad_connector_name():
    text = doc(head=HEAD.replace("nis: {plugin: nis}", "Nis Two: {plugin: nis}"))
    assert_error(text, "Nis Two", "connectors.Nis Two", "bad connector name")


def test_unknown_plugin_only_when_installed_plugins_are_given():
    text = doc(head=HEAD.replace("nis: {plugin: nis}", "nis: {plugin: nsi}"))
    assert_error(text, "plugin: nsi", "connectors.nis.plugin",
                 "unknown plugin 'nsi' (did you mean 'nis'?) (installed: kis, metering, nis)",
                 known_plugins={"kis", "nis", "metering"})
    assert parse(text, known_plugins=None).connectors["nis"].plugin == "nsi"


def test_every_error_is_collected_into_one_configuration_error():
    text = doc("""
        - name: a
          match: {type: case.nothing}
          to: [kis]
          retry: never
        """, head=HEAD.replace("version: 1", "version: 3"))
    with pytest.raises(ConfigurationError) as info:
        parse(text)
    exc = info.value
    assert isinstance(exc, RoutesFileError) and len(exc.errors) == 3
    assert str(exc).startswith("routes.yaml: 3 errors\n")
    for error in exc.errors:
        assert error in str(exc)


def test_load_routes_names_the_file_it_read(tmp_path):
    path = tmp_path / "routes.yaml"
    path.write_text(doc().replace("facility.lookup.requested", "facility.lookup.asked"))
    with pytest.raises(RoutesFileError) as info:
        load_routes(path, env={})
    [error] = info.value.errors
    assert error.startswith(f"{path}:{line(path.read_text(), 'facility.lookup.asked')}: "
                            "routes[0].match.type: unknown message type")


def test_load_routes_of_a_missing_file(tmp_path):
    with pytest.raises(ConfigurationError, match="cannot read the routes file"):
        load_routes(tmp_path / "nope.yaml")


def test_load_routes_reads_the_environment_when_no_env_is_given(tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDHUB_TEST_KIS_URL", "http://10.1.2.3:9000/kis")
    path = tmp_path / "r.yaml"
    path.write_text(doc().replace("http://127.0.0.1:8102/kis", "${GRIDHUB_TEST_KIS_URL}"))
    table = load_routes(path)
    assert table.connectors["kis"].settings["url"] == "http://10.1.2.3:9000/kis"


def test_the_shipped_routes_yaml_loads():
    table = load_routes(ROOT / "routes.yaml", env=SHIPPED_SECRETS)
    assert set(table.connectors) == {"elsmart", "kis", "nis", "metering", "elhub", "notify",
                                     "kis-market", "nis-market", "metering-market",
                                     "ediel"}
    # the systems that take the datahub's documents as canonical JSON use the generic webhook
    market = {"kis-market", "nis-market", "metering-market"}
    assert {spec.plugin for spec in table.connectors.values()} == \
        set(table.connectors) - market | {"webhook"}
    assert {"default", "patient"} <= set(table.policies)
    names = {r.name for r in table.routes}
    assert {"facility-lookup", "enrich-case", "decision-to-portal-and-installer",
            "metering-values-to-datahub"} <= names
    enrich = table.route("enrich-case")
    assert enrich.aggregate is not None and enrich.aggregate.emit == "case.enriched"
    # The defaults point at the simulators on loopback.
    assert table.connectors["kis"].settings["url"].startswith("http://127.0.0.1:")


def test_the_shipped_routes_yaml_takes_its_settings_from_the_environment():
    table = load_routes(ROOT / "routes.yaml",
                        env={**SHIPPED_SECRETS, "GRIDHUB_KIS_URL": "https://kis.example/kis",
                             "GRIDHUB_KIS_PASSWORD": "s3cret"})
    assert table.connectors["kis"].settings["url"] == "https://kis.example/kis"
    assert table.connectors["kis"].settings["password"] == "s3cret"


def test_the_shipped_routes_yaml_does_not_start_without_its_secrets():
    """Issue 13 item 12: unset, the inbound endpoint once accepted elsmart/simulator."""
    with pytest.raises(ConfigurationError) as info:
        load_routes(ROOT / "routes.yaml", env={})
    text = str(info.value)
    assert "environment variable GRIDHUB_ELSMART_INBOUND_PASSWORD is not set" in text
    for name in SHIPPED_SECRETS:
        assert name in text
    assert "simulator" not in text
