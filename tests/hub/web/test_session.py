"""Sessions: signed cookies (forgery refused, CSRF compared exactly) whose login lives in the
store, so logout, a password change (``gridhub users passwd``), a revoked role, the idle limit
and the absolute limit end it at once, also for a copy of the cookie saved before."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from hub.access import Access, Role
from hub.access.sessions import Ended, LoginSessions
from hub.access.tables import sessions as session_table
from hub.ops.pause import pauses
from hub.store import Store
from hub.web.session import COOKIE, Session, Sessions
from tests.hub.access.conftest import Clock, cheap_hasher
from tests.hub.ops.conftest import gridhub_group, pg_schema_url, store  # noqa: F401
from tests.hub.web.client import Client
from tests.hub.web.conftest import PASSWORD, Web


@pytest.fixture
def on_store(store: Store) -> Store:  # noqa: F811 - SQLite and PostgreSQL
    access = Access(store, hasher=cheap_hasher())
    access.ensure_tables()
    access.add_user("maria", PASSWORD, by="test")
    access.grant("maria", Role.operator, by="test")
    return store


def test_a_signed_session_comes_back_and_a_forged_one_does_not(on_store):
    sessions = Sessions("secret-a", LoginSessions(on_store))
    cookie = sessions.dump(sessions.start("maria"))
    back, why = sessions.load(cookie)
    assert (back.user, why) == ("maria", None)
    forged, why = Sessions("secret-b", LoginSessions(on_store)).load(cookie)
    assert (forged.user, why) == (None, None)
    tampered, _ = sessions.load(cookie[:-2] + ("A" if cookie[-2] != "A" else "B") + cookie[-1])
    assert tampered.user is None


def test_a_cookie_idle_beyond_the_limit_is_refused_as_expired(on_store):
    logins = LoginSessions(on_store)
    cookie = Sessions("secret", logins).dump(Session(user="maria", sid=logins.start("maria")))
    # A limit below zero makes any signature too old, without waiting eight hours.
    back, why = Sessions("secret", logins, idle_limit=timedelta(seconds=-1)).load(cookie)
    assert back.user is None and why is not None and "8 hours" in why


def test_the_csrf_token_must_match_exactly():
    session = Session()
    assert session.csrf_ok(session.csrf)
    assert not session.csrf_ok(None) and not session.csrf_ok("")
    assert not session.csrf_ok(session.csrf[:-1])
    assert Session().csrf != session.csrf  # fresh per session


def test_only_a_hash_of_the_id_is_stored_and_end_ends_it(on_store):
    logins = LoginSessions(on_store)
    sid = logins.start("maria")
    with on_store.engine.connect() as conn:
        [stored] = conn.scalars(sa.select(session_table.c.id_hash)).all()
    assert sid not in stored and len(stored) == 64
    assert logins.user_of(sid) == ("maria", None)
    logins.end(sid)
    assert logins.user_of(sid) == (None, Ended.ended)


def test_idle_and_absolute_limits(on_store):
    clock = Clock()
    logins = LoginSessions(on_store, clock=clock)
    idle = logins.start("maria")
    busy = logins.start("maria")
    for _ in range(3):  # busy is used every 3 h 59 min; idle is not
        clock.advance(hours=3, minutes=59)
        assert logins.user_of(busy) == ("maria", None)
    assert logins.user_of(idle) == (None, Ended.idle)
    clock.advance(hours=0, minutes=3)  # 12 h after login, however busy
    assert logins.user_of(busy) == (None, Ended.absolute)


# -- against the real app under uvicorn ----------------------------------------------------------


def _saved_cookie(client: Client) -> dict[str, str]:
    [value] = [c.value for c in client.jar if c.name == COOKIE]
    return {"Cookie": f"{COOKIE}={value}"}


def _replayed(web: Web, saved: dict[str, str], csrf: str) -> tuple[int, int]:
    """(GET / with the saved cookie, POST pause with it and its CSRF token)."""
    copy = Client(web.url)
    page = copy.request("/", headers=saved)[0]
    pause = copy.request("/connectors/alpha/pause", {"csrf_token": csrf, "reason": "replayed"},
                         headers=saved)[0]
    return page, pause


def _logged_in(web: Web) -> tuple[Client, dict[str, str], str]:
    browser = Client(web.url)
    assert browser.log_in("maria") == 303
    csrf = browser.csrf("/")
    return browser, _saved_cookie(browser), csrf


def test_a_cookie_saved_before_logout_is_dead_after_it(web):
    browser, saved, csrf = _logged_in(web)
    assert browser.request("/")[0] == 200
    assert browser.request("/logout", {"csrf_token": csrf})[0] == 303
    page, pause = _replayed(web, saved, csrf)
    assert page == 303 and pause in (303, 403)
    with web.store.engine.connect() as conn:
        assert pauses(conn) == {}  # the pause did not happen


def test_gridhub_users_passwd_ends_every_session_of_the_user(web):
    _, saved, csrf = _logged_in(web)
    other = Client(web.url)
    assert other.log_in("maria") == 303
    result = CliRunner().invoke(gridhub_group(), ["users", "passwd", "maria", "--password-stdin"],
                                input="ett helt nytt lösenord\n",
                                env={"GRIDHUB_STORE_URL": str(web.store.engine.url),
                                     "GRIDHUB_ACTOR": "admin@drift"})
    assert result.exit_code == 0, result.output
    assert _replayed(web, saved, csrf)[0] == 303
    status, _, _ = other.request("/")
    assert status == 303
    status, _, html = other.request("/login")
    assert "password changed" in html
    assert other.log_in("maria", "ett helt nytt lösenord") == 303


def test_a_session_ends_at_its_absolute_limit_however_active(web):
    browser, _, _ = _logged_in(web)
    for _ in range(3):
        web.clock.advance(hours=3, minutes=59)
        assert browser.request("/")[0] == 200
    web.clock.advance(minutes=3)
    status, headers, _ = browser.request("/")
    assert status == 303 and headers["location"].startswith("/login")
    assert "12-hour limit" in browser.request("/login")[2]
