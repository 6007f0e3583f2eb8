"""What every answer of the ops web carries against the browser-side attacks, and where the
client address and scheme come from.

Headers: a Content-Security-Policy that runs only the scripts of this answer (a nonce per
response) and no frames, ``X-Frame-Options`` for older browsers, ``nosniff``, no referrer, and
``Cache-Control: no-store`` on everything (pages and API answers may carry personal data).

Proxies: ``X-Forwarded-For``/``-Proto`` are believed only from the addresses in
``web_trusted_proxies`` (uvicorn's own proxy handling, which trusts 127.0.0.1, is switched
off where the app is served), so a client cannot choose the address a lockout or an audit row
records. Cookies are ``Secure`` when ``web_secure_cookies`` says so, by default whenever the
web listens beyond loopback.
"""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import Response

CSP = ("default-src 'none'; script-src 'nonce-{nonce}'; style-src 'unsafe-inline'; "
       "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


async def security_headers(request: Request,
                           call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Middleware: a fresh CSP nonce for the templates, the headers on the answer."""
    nonce = secrets.token_urlsafe(16)
    request.state.csp_nonce = nonce
    response = await call_next(request)
    response.headers["Content-Security-Policy"] = CSP.format(nonce=nonce)
    for name, value in HEADERS.items():
        response.headers[name] = value
    return response


def is_loopback(host: str) -> bool:
    """``host`` (an address or ``localhost``) is this machine only."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name: it may resolve to anything


def secure_cookies(setting: bool | None, listen_host: str) -> bool:
    """Whether the session cookie is ``Secure``: as set, else unless on loopback (a browser
    sends a Secure cookie over https only, and loopback has no TLS in front of it)."""
    return (not is_loopback(listen_host)) if setting is None else setting


def trust_proxies(app: Any, proxies: Sequence[str]) -> None:
    """Take the client address and scheme of ``app``'s requests from ``X-Forwarded-*`` when
    (and only when) the connection comes from one of ``proxies`` (addresses or networks):
    uvicorn's middleware, the one library that already parses these headers."""
    if proxies:
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(proxies))
