"""Headers on every answer, Secure cookies by setting (and beyond loopback), and client
addresses from trusted proxies only: against the real app under uvicorn."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from hub.ops.audit import entries
from hub.ops.db import reading
from hub.web.app import create_app
from tests.hub.web.client import Client
from tests.hub.web.conftest import SECRET, serve

SECURITY = {"x-frame-options": "DENY", "x-content-type-options": "nosniff",
            "referrer-policy": "no-referrer", "cache-control": "no-store"}


@contextmanager
def app_with(web_hub: Any, listen_host: str = "127.0.0.1", **settings: Any) -> Iterator[str]:
    """Another web app on the same hub with ``settings`` changed; its URL."""
    hub = web_hub.hub
    app = create_app(hub.settings.model_copy(update=settings), access=web_hub.access,
                     metrics=None, store=hub.store, secret=SECRET, connectors=hub.connectors,
                     listen_host=listen_host)
    with serve(app) as url:
        yield url


def _assert_hardened(headers: dict[str, str]) -> str:
    for name, value in SECURITY.items():
        assert headers.get(name) == value, (name, headers)
    csp = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    return csp


def test_every_answer_carries_the_security_headers(shared_web_hub):
    anonymous = Client(shared_web_hub.url)
    for path in ("/login", "/", "/api/status", "/healthz"):
        _, headers, _ = anonymous.request(path)
        _assert_hardened(headers)
    maria = Client(shared_web_hub.url)
    assert maria.log_in("maria") == 303
    [dl, *_] = shared_web_hub.hub.store.dead_letters()
    status, headers, html = maria.request(f"/dead-letters/{dl.id}")
    assert status == 200
    csp = _assert_hardened(headers)
    # The page's one script runs by this answer's nonce; no inline handlers are left.
    nonce = re.search(r"'nonce-([^']+)'", csp)
    assert nonce and f'<script nonce="{nonce.group(1)}">' in html
    assert not re.search(r"\son[a-z]+=", html)
    status, headers, _ = maria.request(f"/api/dead-letters/{dl.id}")
    assert status == 200
    _assert_hardened(headers)


def _session_cookie(url: str) -> str:
    _, headers, _ = Client(url).request("/login")
    return headers["set-cookie"]


def test_the_session_cookie_is_secure_when_set_and_beyond_loopback(web_hub):
    assert "secure" not in _session_cookie(web_hub.url).lower()  # loopback, unset
    with app_with(web_hub, web_secure_cookies=True) as url:
        assert "; secure" in _session_cookie(url).lower()
    with app_with(web_hub, listen_host="0.0.0.0") as url:
        assert "; secure" in _session_cookie(url).lower()
    with app_with(web_hub, listen_host="0.0.0.0", web_secure_cookies=False) as url:
        assert "secure" not in _session_cookie(url).lower()


def _lock_out(url: str, name: str, forwarded: str) -> None:
    client = Client(url)
    for _ in range(5):
        status, _, _ = client.request("/login", {
            "username": name, "password": "wrong guess", "csrf_token": client.csrf()},
            headers={"X-Forwarded-For": forwarded})
        assert status in (401, 429)


def _lockout_clients(store: Any, name: str) -> list[str]:
    with reading(store) as conn:
        return [e.detail["client"] for e in entries(conn, action="login.lockout")
                if e.subject == f"user {name}"]


def test_a_client_cannot_choose_the_address_the_lockout_records(web_hub):
    _lock_out(web_hub.url, "maria", "203.0.113.9")
    assert _lockout_clients(web_hub.hub.store, "maria") == ["127.0.0.1"]
    with app_with(web_hub, web_trusted_proxies=("127.0.0.0/8",)) as url:
        _lock_out(url, "olle", "203.0.113.9")
    assert _lockout_clients(web_hub.hub.store, "olle") == ["203.0.113.9"]
