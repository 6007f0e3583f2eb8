"""Signed sessions: forgery refused, idle expiry noticed, CSRF compared exactly."""

from __future__ import annotations

from datetime import timedelta

from hub.web.session import Session, Sessions


def test_a_signed_session_comes_back_and_a_forged_one_does_not():
    sessions = Sessions("secret-a")
    cookie = sessions.dump(Session(user="maria"))
    back, why = sessions.load(cookie)
    assert (back.user, why) == ("maria", None)
    forged, why = Sessions("secret-b").load(cookie)
    assert (forged.user, why) == (None, None)
    tampered, _ = sessions.load(cookie[:-2] + ("A" if cookie[-2] != "A" else "B") + cookie[-1])
    assert tampered.user is None


def test_a_session_idle_beyond_the_limit_is_refused_as_expired():
    cookie = Sessions("secret").dump(Session(user="maria"))
    # A limit below zero makes any signature too old, without waiting eight hours.
    back, why = Sessions("secret", idle_limit=timedelta(seconds=-1)).load(cookie)
    assert (back.user, why) == (None, "expired")


def test_the_csrf_token_must_match_exactly():
    session = Session()
    assert session.csrf_ok(session.csrf)
    assert not session.csrf_ok(None) and not session.csrf_ok("")
    assert not session.csrf_ok(session.csrf[:-1])
    assert Session().csrf != session.csrf  # fresh per session
