"""The notify simulator: an SMTP server on loopback (aiosmtpd) that keeps the mails it got.

SMTP listens on ``port``; a small HTTP control server listens on ``control_port`` (default:
``port + 1`` when a port is given, else any): ``GET /_state`` lists the mails,
``POST /_control/fail {"mode": ..., "code": ...}`` changes how it answers. Failure modes in
SMTP terms: 5xx = the server fails for now (451 at end of DATA, or ``code``, e.g. 421:
transient), reject = the recipient is refused (550 at RCPT, or ``code``: permanent),
soap-fault = the content is refused (554 at end of DATA: permanent), slow = DATA answered after
``slow_seconds``, down = nothing listens (connection refused). Optional STARTTLS (give a
``tls_context``) and AUTH (give ``username``/``password``).
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import ssl
import threading
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from hub.toolkit import FailureMode, InboundServer, Request, Response, Simulator

_KEEP = 1000  # mails kept in the state


class NotifySimulator(Simulator):
    default_port = 8025
    name = "notify"

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0,
                 state_dir: Path | None = None, control_port: int | None = None,
                 tls_context: ssl.SSLContext | None = None, username: str | None = None,
                 password: str | None = None, slow_seconds: float = 3.0) -> None:
        super().__init__(host=host, port=port, state_dir=state_dir)
        self.control_port = control_port if control_port is not None else (
            port + 1 if port else 0)
        self.tls_context = tls_context
        self.credentials = (username, password) if username else None
        self.slow_seconds = slow_seconds
        self.fail_code: int | None = None
        self.path = state_dir / "notify-mails.json" if state_dir else None
        self.mails: list[dict[str, Any]] = []
        if self.path is not None and self.path.is_file():
            self.mails = json.loads(self.path.read_text(encoding="utf-8")).get("mails", [])
        self._lock = threading.RLock()
        self._smtp: Controller | None = None
        self._control: InboundServer | None = None

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> NotifySimulator:
        if not self.port:
            self.port = _free_port(self.host)
        self._control = InboundServer(self._handle, None, host=self.host,
                                   port=self.control_port).start()
        self.control_port = self._control.port
        if self.failure != FailureMode.DOWN:
            self._start_smtp()
        return self

    def stop(self) -> None:
        self._stop_smtp()
        if self._control is not None:
            self._control.stop()
            self._control = None

    @property
    def control_url(self) -> str:
        return f"http://{self.host}:{self.control_port}"

    def fail(self, mode: FailureMode | str, code: int | None = None) -> None:
        """Fail from now on; ``code`` overrides the SMTP reply code of 5xx and reject."""
        with self._lock:
            super().fail(mode)
            self.fail_code = code
            running = self._smtp is not None
            if self.failure == FailureMode.DOWN and running:
                self._stop_smtp()
            elif self.failure != FailureMode.DOWN and not running and self._control:
                self._start_smtp()

    def _start_smtp(self) -> None:
        options: dict[str, Any] = {}
        if self.tls_context is not None:
            options.update(tls_context=self.tls_context, require_starttls=True)
        if self.credentials is not None:
            options.update(authenticator=self._authenticate, auth_required=True,
                           auth_require_tls=self.tls_context is not None)
        self._smtp = Controller(_Handler(self), hostname=self.host, port=self.port,
                                server_hostname="localhost", **options)
        self._smtp.start()

    def _stop_smtp(self) -> None:
        if self._smtp is not None:
            self._smtp.stop()
            self._smtp = None

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str,
                      auth_data: Any) -> AuthResult:
        ok = (isinstance(auth_data, LoginPassword) and self.credentials is not None
              and auth_data.login.decode() == self.credentials[0]
              and auth_data.password.decode() == (self.credentials[1] or ""))
        return AuthResult(success=ok, handled=False)  # False: aiosmtpd answers 535 itself

    # -- state ------------------------------------------------------------------------------

    def keep(self, sender: str, recipients: list[str], raw: bytes) -> None:
        mail = BytesParser(policy=policy.default).parsebytes(raw)
        entry = {"from": sender, "to": recipients, "subject": str(mail["Subject"] or ""),
                 "message_id": str(mail["Message-ID"] or ""),
                 "language": str(mail["Content-Language"] or ""),
                 "gridhub": {k[len("X-Gridhub-"):].lower(): str(v) for k, v in mail.items()
                             if k.lower().startswith("x-gridhub-")},
                 "body": mail.get_content().replace("\r\n", "\n"),
                 "raw": raw.decode("utf-8", "replace"),
                 "received_at": datetime.now(UTC).isoformat()}
        with self._lock:
            self.mails = [*self.mails[-(_KEEP - 1):], entry]
            if self.path is not None:
                tmp = self.path.with_suffix(".tmp")
                tmp.write_text(json.dumps({"mails": self.mails}, ensure_ascii=False),
                               encoding="utf-8")
                os.replace(tmp, self.path)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {"mode": self.failure.value, "code": self.fail_code,
                    "mails": list(self.mails)}

    # -- control ----------------------------------------------------------------------------

    def _handle(self, request: Request) -> Response:
        if request.path == "/_state":
            return _json(200, self.snapshot())
        if request.path == "/_control/fail" and request.method == "POST":
            try:
                order = json.loads(request.body or b"{}")
                self.fail(order.get("mode", "none"), order.get("code"))
            except (ValueError, AttributeError, TypeError) as exc:
                return _json(400, {"error": f"expected {{\"mode\": one of "
                                            f"{[m.value for m in FailureMode]}}}: {exc}"})
            return _json(200, {"mode": self.failure.value, "code": self.fail_code})
        return _json(404, {"error": "GET /_state or POST /_control/fail"})


class _Handler:
    """aiosmtpd hooks: refuse or delay per the failure mode, else keep the mail."""

    def __init__(self, sim: NotifySimulator) -> None:
        self.sim = sim

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if self.sim.failure == FailureMode.REJECT:
            return _reply(self.sim.fail_code or 550, "mailbox unavailable")
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        mode = self.sim.failure
        if mode == FailureMode.SLOW:
            await asyncio.sleep(self.sim.slow_seconds)
        if mode == FailureMode.SERVER_ERROR:
            return _reply(self.sim.fail_code or 451, "temporary failure")
        if mode == FailureMode.SOAP_FAULT:
            return _reply(554, "message content rejected")
        self.sim.keep(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
        return "250 2.0.0 OK: queued"


def _reply(code: int, text: str) -> str:
    enhanced = "4.3.0" if code < 500 else "5.0.0"  # RFC 3463: the class follows the code
    return f"{code} {enhanced} {text} (simulated)"


def _free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def _json(status: int, body: dict[str, Any]) -> Response:
    return Response(status, json.dumps(body, ensure_ascii=False).encode())
