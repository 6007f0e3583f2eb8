"""Web tests: the real app under uvicorn on a loopback port, on the store of a running hub
whose target refused messages (real dead letters), and Debian's Chromium via Playwright."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from hub.access import Access, Role
from hub.config import Settings
from hub.ops.db import open_store
from hub.store import Store
from tests.conftest import free_port
from tests.factories import envelope, swedish_case
from tests.hub.access.conftest import Clock, cheap_hasher
from tests.hub.ops.conftest import hub_settings
from tests.support.hubrun import running_hub, wait_until
from tests.support.sink import Sink

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
PASSWORD = "korrekt häst batteri 42"
SECRET = "test-secret-for-signing-sessions"
WRONG_PASSWORD = "fel lösenord 1"
FAILED = 3  # cases the target refused
DELIVERED = 2  # cases delivered before it began to refuse


@dataclass
class WebHub:
    """A running hub with dead letters, its web app on ``url``, and users to log in as."""

    url: str
    hub: Any
    alpha: Sink
    access: Access
    cases: list[Any]


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Serve ``app`` on a free loopback port; its base URL."""
    from hub.web.server import WebServer

    server = WebServer(app, port=free_port())
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


def add_users(access: Access) -> None:
    access.add_user("maria", PASSWORD, by="test")
    access.grant("maria", Role.operator, by="test")
    access.add_user("olle", PASSWORD, by="test")
    access.grant("olle", Role.viewer, by="test")


@contextmanager
def started_web_hub(tmp_path: Path) -> Iterator[WebHub]:
    from hub.web.app import create_app

    with Sink() as alpha:
        settings = hub_settings(tmp_path, "embedded", "gridhub", alpha.url)
        with running_hub(settings) as hub:
            hub.inbound.publish([envelope("case.submitted", swedish_case(40 + i))
                                 for i in range(DELIVERED)])
            wait_until(lambda: len(alpha.docs()) == DELIVERED, what="deliveries")
            alpha.state.fail_always = 422
            cases = [swedish_case(60 + i) for i in range(FAILED)]
            hub.inbound.publish([envelope("case.submitted", c) for c in cases])
            wait_until(lambda: len(hub.store.dead_letters(connector="alpha")) == FAILED,
                       what=f"{FAILED} dead letters")
            access = Access(hub.store)
            access.ensure_tables()
            add_users(access)
            app = create_app(settings, access=access, metrics=None, store=hub.store,
                             secret=SECRET, connectors=hub.connectors)
            with serve(app) as url:
                yield WebHub(url, hub, alpha, access, cases)


@pytest.fixture
def web_hub(tmp_path: Path) -> Iterator[WebHub]:
    """A hub of its own, for a test that changes something."""
    with started_web_hub(tmp_path) as found:
        yield found


@pytest.fixture(scope="module")
def shared_web_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebHub]:
    """One hub for the tests of a module that only read (or add their own tokens)."""
    with started_web_hub(tmp_path_factory.mktemp("web")) as found:
        yield found


def grant_long_ago(store: Any, name: str, role: Role, days: int) -> None:
    """A user whose only role was granted ``days`` ago (a clock in the past grants it)."""
    then = datetime.now(UTC) - timedelta(days=days)
    past = Access(store, clock=lambda: then)
    past.add_user(name, PASSWORD, by="test")
    past.grant(name, role, by="test")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        found = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield found
        finally:
            found.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    context.set_default_timeout(15_000)
    found = context.new_page()
    try:
        yield found
    finally:
        context.close()


def log_in(page: Any, url: str, user: str, password: str = PASSWORD) -> None:
    page.goto(f"{url}/")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


# -- a web app alone on a SQLite store, on a clock the test moves (no hub: fast) -------------

@dataclass
class Web:
    url: str
    store: Store
    clock: Clock

    def attempt(self, user: str, password: str = WRONG_PASSWORD, source: str | None = None,
                ) -> tuple[int, dict[str, str], str]:
        """One login from a fresh browser at ``source`` (a loopback address: 127.0.0.2 is
        another client than the default 127.0.0.1)."""
        from tests.hub.web.client import Client

        client = Client(self.url, source=source)
        return client.request("/login", {"username": user, "password": password,
                                         "csrf_token": client.csrf(), "next": "/"})


@contextmanager
def web_app(db: str, tmp_path: Path, clock: Clock) -> Iterator[Web]:
    """The ops web on the store ``db`` (one "process": its own store, access and server)."""
    from hub.web.app import create_app

    opened = open_store(db)
    try:
        access = Access(opened, clock=clock, hasher=cheap_hasher())
        access.ensure_tables()
        settings = Settings(store_url=db, routes=tmp_path / "no-routes.yaml")
        app = create_app(settings, access=access, metrics=None, store=opened, secret=SECRET,
                         connectors={})
        with serve(app) as url:
            yield Web(url, opened, clock)
    finally:
        opened.close()


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'gridhub.db'}"
    opened = open_store(url)
    try:
        access = Access(opened, hasher=cheap_hasher())
        access.ensure_tables()
        access.add_user("maria", PASSWORD, by="test")
        access.grant("maria", Role.operator, by="test")
        access.add_user("kalle", PASSWORD, by="test")  # no role
    finally:
        opened.close()
    return url


@pytest.fixture
def web(db: str, tmp_path: Path) -> Iterator[Web]:
    with web_app(db, tmp_path, Clock()) as found:
        yield found


# -- a real demo run with its ops web (the layout and case-page tests) -----------------------

# A connector whose plugin refused its settings: the dashboard shows the error as the app
# builds it (hub.web.app: "<type>: <message>", at most 200 characters), a URL and all.
UNBUILT = ("ediel-no", "ConfigurationError: connector 'ediel-no': settings.url "
           "https://ediel-gateway.nettselskap.example.no:8443/ediel/v2/outbound/mailbox?"
           "party=7080005051234&format=edifact is not reachable from this host")


@pytest.fixture(scope="package")
def showcase(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A real demo run (6 cases) whose hub, simulators and ops web stay up; the web also
    lists a connector whose plugin refused its settings (UNBUILT)."""
    from hub.access import Access
    from hub.demo.scenario import Options
    from hub.demo.showcase import demo_with_web
    from hub.web.app import create_app

    options = Options(outage_after=None, idle=6.0, limit=90.0, values_for=1, window_days=2,
                      day_seconds=0.1)
    with demo_with_web(tmp_path_factory.mktemp("demo"), cases=6, seed=2,
                       options=options) as found:
        access = Access(found.driver.store)
        app = create_app(found.driver.settings, access=access, metrics=None,
                         store=found.driver.store, secret="layout-test-secret",
                         connectors={**found.driver.hub.connectors, UNBUILT[0]: UNBUILT[1]})
        with serve(app) as url:
            yield replace(found, url=url)
