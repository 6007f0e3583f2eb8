"""Login throttling through the real web app (uvicorn on loopback, urllib): five failed logins
for a name from one address within 15 minutes lock that address out for 15 minutes, with one
message whether the name exists or not; another address still logs in; past ten failures a
name waits 1, 2, 4 ... 60 s between tries from anywhere; a success resets the counts; the
lockout is audited and survives a restart."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from hub.access import Access
from hub.ops.audit import entries
from hub.store import Store
from hub.web.throttle import LoginThrottle
from tests.hub.access.conftest import Clock
from tests.hub.ops.conftest import pg_schema_url, store  # noqa: F401 - fixtures reused
from tests.hub.web.conftest import PASSWORD, WRONG_PASSWORD, Web, web_app

WRONG = WRONG_PASSWORD


def error_of(html: str) -> str:
    found = re.search(r'id="login-error">([^<]*)<', html)
    assert found, "no error banner on the login page"
    return found.group(1)


def test_five_failures_lock_a_name_for_15_minutes_and_it_is_audited(web: Web) -> None:
    for _ in range(4):
        assert web.attempt("maria")[0] == 401
    status, headers, html = web.attempt("maria")
    assert status == 429 and headers["retry-after"] == "900"
    assert "too many failed logins for this user name" in error_of(html)
    assert "until 08:15:00 UTC" in error_of(html)
    status, _, html = web.attempt("maria", PASSWORD)  # the right password: still refused
    assert status == 429 and "too many failed logins" in error_of(html)
    web.clock.advance(minutes=14, seconds=59)
    assert web.attempt("maria", PASSWORD)[0] == 429
    web.clock.advance(seconds=1)
    assert web.attempt("maria", PASSWORD)[0] == 303
    with web.store.engine.connect() as conn:
        [row] = entries(conn, action="login.lockout")
    assert row.subject == "user maria" and row.actor == "gridhub web"
    assert row.detail["failures"] == 5 and row.detail["client"] == "127.0.0.1"


def test_an_unknown_name_gets_the_same_lockout(web: Web) -> None:
    for name in ("maria", "nobody"):
        for _ in range(4):
            web.attempt(name)
    locked = {name: web.attempt(name) for name in ("maria", "nobody")}
    assert [s for s, _, _ in locked.values()] == [429, 429]
    assert error_of(locked["maria"][2]) == error_of(locked["nobody"][2])
    assert "maria" not in error_of(locked["maria"][2])


def test_a_success_resets_and_old_failures_fall_out_of_the_window(web: Web) -> None:
    for _ in range(4):
        web.attempt("maria")
    assert web.attempt("maria", PASSWORD)[0] == 303
    for _ in range(4):
        assert web.attempt("maria")[0] == 401
    web.clock.advance(minutes=15)
    assert web.attempt("maria")[0] == 401  # the first of a new window
    assert web.attempt("maria", PASSWORD)[0] == 303


def test_an_unknown_name_and_a_wrong_password_get_one_answer(web: Web) -> None:
    unknown = web.attempt("nobody")
    wrong = web.attempt("maria")
    assert unknown[0] == wrong[0] == 401
    assert error_of(unknown[2]) == error_of(wrong[2]) == "login: wrong user name or password"


def test_the_right_password_without_a_role_is_no_guess(web: Web) -> None:
    for _ in range(6):
        status, _, html = web.attempt("kalle", PASSWORD)
        assert status == 401 and "has no role" in error_of(html)


def test_a_lockout_holds_across_a_restart(db: str, tmp_path: Path) -> None:
    clock = Clock()
    with web_app(db, tmp_path, clock) as first:
        for _ in range(5):
            first.attempt("maria")
    with web_app(db, tmp_path, clock) as second:
        status, _, html = second.attempt("maria", PASSWORD)
    assert status == 429 and "too many failed logins" in error_of(html)


def test_the_count_is_shared_by_every_process_on_each_database(store: Store) -> None:  # noqa: F811
    Access(store).ensure_tables()
    clock = Clock()
    one, two = (LoginThrottle(store, clock=clock) for _ in range(2))  # two web processes
    for i in range(4):
        web = one if i % 2 else two
        assert web.attempt("maria", "10.0.0.7") is None
        assert web.failed("maria", "10.0.0.7") is None
    assert two.attempt("maria", "10.0.0.7") is None
    until = two.failed("maria", "10.0.0.7")
    assert until == clock() + timedelta(minutes=15)
    assert one.attempt("maria", "10.0.0.7") == until
    assert one.attempt("maria", "10.0.0.8") is None  # another address is not locked out
    clock.advance(minutes=15)
    assert one.attempt("maria", "10.0.0.7") is None


def test_tries_in_flight_count_before_their_outcome(store: Store) -> None:  # noqa: F811
    Access(store).ensure_tables()
    clock = Clock()
    throttle = LoginThrottle(store, clock=clock)
    # Five requests sent at once, their passwords still being checked: a sixth must wait.
    assert [throttle.attempt("maria", "10.0.0.7") for _ in range(5)] == [None] * 5
    assert throttle.attempt("maria", "10.0.0.7") == clock() + timedelta(minutes=15)
    throttle.succeeded("maria", "10.0.0.7")  # one of the five had the right password
    assert throttle.attempt("maria", "10.0.0.7") is None


def test_past_ten_failures_a_name_backs_off_from_every_address(store: Store) -> None:  # noqa: F811
    Access(store).ensure_tables()
    clock = Clock()
    throttle = LoginThrottle(store, clock=clock)
    for i in range(10):  # ten addresses, one guess each: free
        assert throttle.attempt("maria", f"10.0.1.{i}") is None
    waits = []
    for i in range(10, 19):
        assert throttle.attempt("maria", f"10.0.1.{i}") is None  # this try is checked ...
        until = throttle.attempt("maria", "10.0.2.1")  # ... and the next must wait
        assert until is not None
        waits.append((until - clock()).total_seconds())
        clock.at = until
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    throttle.succeeded("maria", "10.0.2.1")  # the owner got in: the backoff ends
    assert throttle.attempt("maria", "10.0.3.1") is None
    assert throttle.attempt("maria", "10.0.3.2") is None


def test_an_attacker_locks_out_only_their_own_address(web: Web) -> None:
    for _ in range(5):
        web.attempt("maria", source="127.0.0.2")
    status, _, html = web.attempt("maria", PASSWORD, source="127.0.0.2")
    assert status == 429 and "too many failed logins" in error_of(html)
    assert web.attempt("maria", PASSWORD, source="127.0.0.1")[0] == 303  # the owner


def test_many_addresses_slow_a_name_down_but_do_not_lock_it(web: Web) -> None:
    for i in range(11):  # one guess from each of 11 addresses
        assert web.attempt("maria", source=f"127.0.0.{i + 2}")[0] == 401
    status, headers, _ = web.attempt("maria", PASSWORD, source="127.0.0.1")
    assert status == 429 and headers["retry-after"] == "1"
    web.clock.advance(seconds=1)
    assert web.attempt("maria", PASSWORD, source="127.0.0.1")[0] == 303
