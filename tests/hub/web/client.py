"""A browser-like HTTP client for the web tests (urllib against the real uvicorn)."""

from __future__ import annotations

import functools
import http.client
import json
import re
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from typing import Any
from urllib.parse import urlencode

from tests.hub.web.conftest import PASSWORD


class Client:
    """A browser-like HTTP client: keeps cookies, does not follow redirects."""

    def __init__(self, base: str, token: str | None = None, source: str | None = None) -> None:
        """``source``: the loopback address to connect from (127.0.0.2: another client)."""
        self.base = base
        self.token = token
        self.jar = CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: Any, **kwargs: Any) -> None:
                return None

        class FromSource(urllib.request.HTTPHandler):
            def http_open(self, req: Any) -> Any:
                return self.do_open(functools.partial(http.client.HTTPConnection,
                                                      source_address=(source or "", 0)), req)

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect(), FromSource())

    def request(self, path: str, data: dict[str, Any] | None = None,
                json_body: Any = None, headers: dict[str, str] | None = None,
                ) -> tuple[int, dict[str, str], str]:
        headers = dict(headers or {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        body = None
        if data is not None:
            body = urlencode(data, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif json_body is not None:
            body = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            with self.opener.open(req, timeout=20) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read().decode()

    def csrf(self, path: str = "/login") -> str:
        _, _, html = self.request(path)
        found = re.search(r'name="csrf_token" value="([^"]+)"', html)
        assert found, f"no CSRF token on {path}"
        return found.group(1)

    def log_in(self, user: str, password: str = PASSWORD) -> int:
        status, _, _ = self.request("/login", {"username": user, "password": password,
                                               "csrf_token": self.csrf(), "next": "/"})
        return status
