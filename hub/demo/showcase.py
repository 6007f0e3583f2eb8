"""A demo run whose ops web stays up afterwards: the real dashboard and case pages of a real
run, for the screenshots in docs/ (``python -m hub.demo.screenshots``) and the layout test.

The simulators keep running while the web is served, so the dashboard shows the targets as
they are after a run (reachable), not as they look once everything stopped.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from hub.access import Access, Role
from hub.demo.driver import Driver, running_driver
from hub.demo.mix import make_mix
from hub.demo.run import finish
from hub.demo.scenario import Options, Played, play
from hub.demo.summary import Summary
from hub.demo.world import free_port

OPERATOR = "maria.holm"


@dataclass(frozen=True)
class Showcase:
    url: str  # the ops web, logged out
    user: str  # an operator of the web
    password: str
    driver: Driver
    played: Played
    summary: Summary


@contextmanager
def demo_with_web(workdir: Path, *, cases: int = 40, seed: int = 1,
                  options: Options | None = None) -> Iterator[Showcase]:
    """Play ``cases`` cases in ``workdir`` (store, broker and log kept there), drain, then
    serve the ops web on that store while the hub and simulators still run."""
    from hub.web.app import create_app
    from hub.web.server import WebServer

    # a simulated week at a quick pace: the pictures need a run, not weeks of it
    options = options or Options(window_days=7, day_seconds=0.1)
    with running_driver(workdir, clock=options.clock()) as driver:
        played = play(driver, make_mix(cases, seed), options)
        summary = finish(driver, played)
        password = secrets.token_urlsafe(16)
        access = Access(driver.store)
        access.ensure_tables()
        access.add_user(OPERATOR, password, by="demo")
        access.grant(OPERATOR, Role.operator, by="demo")
        app = create_app(driver.settings, access=access, metrics=None, store=driver.store,
                         secret=secrets.token_hex(16), connectors=driver.hub.connectors)
        server = WebServer(app, port=free_port())
        server.start()
        try:
            yield Showcase(server.url, OPERATOR, password, driver, played, summary)
        finally:
            server.stop()
