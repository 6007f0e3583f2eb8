"""The web's session secret is a setting (``web_secret``): a session survives a restart of
the web, and a web that listens beyond loopback refuses to start without one."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from hub.access import Access
from hub.cli import main
from hub.config import Settings
from hub.errors import ConfigurationError
from hub.ops.db import open_store
from hub.web.app import create_app
from tests.hub.access.conftest import cheap_hasher
from tests.hub.web.client import Client
from tests.hub.web.conftest import serve

KEY = "0123456789abcdef0123456789abcdef-web"


def _app(db: str, tmp_path: Path, settings: Settings, host: str = "127.0.0.1"):
    store = open_store(db)
    access = Access(store, hasher=cheap_hasher())
    access.ensure_tables()
    return create_app(settings, access=access, metrics=None, store=store, connectors={},
                      listen_host=host), store


def test_a_session_survives_a_restart_of_the_web_with_the_setting(db, tmp_path):
    settings = Settings(store_url=db, routes=tmp_path / "none.yaml", web_secret=KEY)
    first, store = _app(db, tmp_path, settings)
    with serve(first) as url:
        browser = Client(url)
        assert browser.log_in("maria") == 303
        assert browser.request("/")[0] == 200
    store.close()
    second, store = _app(db, tmp_path, settings)  # a new process: same setting, same secret
    try:
        with serve(second) as url:
            browser.base = url
            assert browser.request("/")[0] == 200
    finally:
        store.close()


def test_without_the_setting_a_restart_ends_the_session_on_loopback(db, tmp_path):
    settings = Settings(store_url=db, routes=tmp_path / "none.yaml")
    first, store = _app(db, tmp_path, settings)
    with serve(first) as url:
        browser = Client(url)
        assert browser.log_in("maria") == 303
    store.close()
    second, store = _app(db, tmp_path, settings)
    try:
        with serve(second) as url:
            browser.base = url
            assert browser.request("/")[0] == 303  # to the login page
    finally:
        store.close()


def test_beyond_loopback_the_web_refuses_to_start_without_a_secret(db, tmp_path):
    settings = Settings(store_url=db, routes=tmp_path / "none.yaml")
    with pytest.raises(ConfigurationError, match="GRIDHUB_WEB_SECRET") as info:
        _app(db, tmp_path, settings, host="0.0.0.0")
    assert info.value.where == "web_secret"
    app, store = _app(db, tmp_path, settings.model_copy(update={"web_secret": None}))
    store.close()
    assert app is not None  # loopback is fine without one


def test_gridhub_run_beyond_loopback_without_a_secret_exits_3_naming_it(tmp_path, monkeypatch):
    monkeypatch.delenv("GRIDHUB_WEB_SECRET", raising=False)
    result = CliRunner().invoke(main, [
        "run", "--web", "0.0.0.0:18080", "--store", f"sqlite:///{tmp_path / 'x.db'}",
        "--broker", f"embedded://{tmp_path / 'b.db'}"])
    assert result.exit_code == 3, result.output
    assert "web_secret" in result.output and "GRIDHUB_WEB_SECRET" in result.output
    assert not (tmp_path / "x.db").exists()  # refused before the hub opened anything
