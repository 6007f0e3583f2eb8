"""Absurd time filters (an age beyond the calendar) are a 400 naming the parameter on every
page, API and action, and exit 2 naming the option in ``gridhub dlq list``: never a 500 or a
traceback."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from tests.hub.ops.conftest import gridhub_group
from tests.hub.web.client import Client

ABSURD = ("99999999d", "99999999999d", "9999-12-31T23:00-05:00")


@pytest.mark.parametrize("value", ABSURD)
@pytest.mark.parametrize("name", ["since", "until"])
def test_pages_and_api_answer_400_naming_the_parameter(shared_web_hub, name, value):
    client = Client(shared_web_hub.url)
    assert client.log_in("maria") == 303
    for path in ("/dead-letters", "/groups", "/api/dead-letters", "/api/groups"):
        status, _, text = client.request(f"{path}?{name}={value}")
        assert status == 400, (path, status)
        assert f"{name}:" in text and value in text, (path, text[:300])


def test_actions_answer_400_naming_the_parameter(shared_web_hub):
    client = Client(shared_web_hub.url)
    assert client.log_in("maria") == 303
    csrf = client.csrf("/")
    status, _, html = client.request("/actions/replay", {
        "csrf_token": csrf, "since": "99999999999d", "route": "submitted-to-alpha"})
    assert status == 400 and "since:" in html
    status, _, text = client.request("/api/replay", json_body={
        "dry_run": True, "filters": {"until": "99999999d"}}, headers={"X-CSRF-Token": csrf})
    assert status == 400 and "until:" in text


def test_dlq_list_refuses_an_age_beyond_the_calendar_with_exit_2(tmp_path):
    result = CliRunner().invoke(gridhub_group(), ["dlq", "list", "--since", "99999999999d"],
                                env={"GRIDHUB_STORE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    assert result.exit_code == 2, result.output
    assert "--since" in result.output and "99999999999d" in result.output
    assert ("Traceback" not in result.output and result.exception is None) or \
        isinstance(result.exception, SystemExit)
