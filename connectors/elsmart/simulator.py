"""The elsmart simulator: plays the installer portal over real sockets.

Server side it implements PortalService (UpdateStatus, AddNote, UpdateSideTrack,
FacilityLookupAnswer) at any path, reading each call with the connector's own mapping and
contract, and keeps the cases in a small state (``GET /_state``). Client side ``send``,
``submit`` and ``call_raw`` CALL gridhub's inbound GridhubService the way the real portal
would (zeep on the same WSDL).

Failure modes (``fail(mode)`` or ``POST /_control/fail {"mode": ..., "status": ...}``):
slow (answers after ``slow_seconds``), 5xx (SOAP Server fault; with ``status``: a bare HTTP
error of that status without a fault), soap-fault (SOAP Client fault), reject (HTTP 422 or
``status``), down (drops every SOAP connection unanswered; the control paths stay up).
``POST /_control/reset`` forgets every case and clears the failure mode;
``POST /_control/send`` (a canonical envelope as JSON) makes the portal call gridhub with it,
for the demo and benchmarks in another process. gridhub's inbound URL and credentials come
from the constructor or ELSMART_SIM_GRIDHUB_URL / _USERNAME / _PASSWORD.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

from lxml import etree

from connectors.elsmart.client import GRIDHUB_BINDING, SoapCaller
from connectors.elsmart.contract import NS, WSDL
from connectors.elsmart.portal import PortalState
from connectors.elsmart.wire import OUTBOUND, ElsmartWire
from hub.toolkit import (
    Credentials,
    FailureMode,
    GridhubError,
    HttpClient,
    InboundServer,
    InvalidMessage,
    Request,
    Response,
    Simulator,
    soap,
)
from schemas.case import Case
from schemas.envelope import Envelope


class ElsmartSimulator(Simulator):
    name = "elsmart"
    default_port = 8101

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0,
                 state_dir: Path | None = None, username: str | None = None,
                 password: str | None = None, gridhub_url: str | None = None,
                 gridhub_username: str | None = None, gridhub_password: str | None = None,
                 slow_seconds: float = 3.0, timeout: float = 10.0) -> None:
        super().__init__(host=host, port=port, state_dir=state_dir)
        self.credentials = Credentials(username, password) if username else None
        # Where the portal calls gridhub (`gridhub simulate elsmart --gridhub-url ...`).
        self.gridhub_url = gridhub_url
        self.gridhub_auth = (gridhub_username, gridhub_password)
        self.slow_seconds = slow_seconds
        self.timeout = timeout
        self.fail_status: int | None = None
        self.state = PortalState(state_dir / "elsmart-portal.json" if state_dir else None)
        self.wire = ElsmartWire.load()
        self._server: InboundServer | None = None
        self._caller: SoapCaller | None = None
        self._lock = threading.Lock()

    # -- lifecycle and control ------------------------------------------------------------

    def start(self) -> ElsmartSimulator:
        self._server = InboundServer(self._handle, None, host=self.host, port=self.port,
                                  realm="elsmart portal", drop=self._drops)
        self._server.start()
        self.port = self._server.port
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def fail(self, mode: FailureMode | str, status: int | None = None) -> None:
        """Fail from now on; ``status`` picks the HTTP status of 5xx (without fault) or reject."""
        super().fail(mode)
        self.fail_status = status

    def reset(self) -> None:
        """Forget every case and answer normally again."""
        self.fail(FailureMode.NONE)
        self.state.clear()

    @property
    def soap_url(self) -> str:
        """The PortalService endpoint to give the connector as ``url``."""
        return f"{self.url}/portal"

    def _drops(self, path: str) -> bool:
        return self.failure == FailureMode.DOWN and not path.startswith("/_")

    # -- server side: PortalService -------------------------------------------------------

    def _handle(self, request: Request) -> Response:
        if request.path == "/_state":
            return _json(200, self.state.snapshot())
        if request.path == "/_control/fail" and request.method == "POST":
            return self._control(request.body)
        if request.path == "/_control/send" and request.method == "POST":
            return self._control_send(request.body)
        if request.path == "/_control/reset" and request.method == "POST":
            self.reset()
            return _json(200, {"reset": True})
        if request.method == "GET" and request.path.lower().endswith("?wsdl"):
            return Response(200, WSDL.read_bytes(), content_type=soap.CONTENT_TYPE)
        if request.method != "POST":
            return _json(405, {"error": "POST SOAP requests, GET /_state, POST /_control/fail"})
        if self.credentials is not None and not self.credentials.accepts(
                request.headers.get("authorization")):
            return Response(401, b"authentication required",
                            headers={"WWW-Authenticate": 'Basic realm="elsmart portal"'},
                            content_type="text/plain")
        failed = self._failure_response()
        return failed if failed is not None else self._apply(request.body)

    def _failure_response(self) -> Response | None:
        mode = self.failure
        if mode == FailureMode.SLOW:
            time.sleep(self.slow_seconds)
        elif mode == FailureMode.SERVER_ERROR:
            if self.fail_status:
                return Response(self.fail_status, b"portal is having a bad day",
                                content_type="text/plain")
            return _soap(500, soap.fault("Server", "portal database unavailable (simulated)"))
        elif mode == FailureMode.SOAP_FAULT:
            return _soap(500, soap.fault("Client", "case is locked by the installer "
                                                   "(simulated)"))
        elif mode == FailureMode.REJECT:
            return Response(self.fail_status or 422, b"rejected by the portal (simulated)",
                            content_type="text/plain")
        return None

    def _apply(self, body: bytes) -> Response:
        try:
            message = self.wire.read(soap.body_of(body, where="portal request"),
                                     direction=OUTBOUND)
        except GridhubError as exc:
            status, fault_body = soap.fault_for(exc)
            return _soap(status, fault_body)
        duplicate = self.state.apply(message)
        receipt = etree.Element(f"{{{NS}}}Receipt", nsmap={"e": NS})
        etree.SubElement(receipt, f"{{{NS}}}MessageId").text = message.message_id
        etree.SubElement(receipt, f"{{{NS}}}CaseRef").text = message.case_id
        etree.SubElement(receipt, f"{{{NS}}}Duplicate").text = "true" if duplicate else "false"
        return _soap(200, soap.envelope(receipt))

    def _control(self, body: bytes) -> Response:
        try:
            order = json.loads(body or b"{}")
            self.fail(order.get("mode", "none"), order.get("status"))
        except (ValueError, AttributeError, TypeError) as exc:
            return _json(400, {"error": f"expected {{\"mode\": one of "
                                        f"{[m.value for m in FailureMode]}}}: {exc}"})
        return _json(200, {"mode": self.failure.value, "status": self.fail_status})

    def _control_send(self, body: bytes) -> Response:
        """Let another process make the portal call gridhub: body = a canonical envelope."""
        try:
            message = Envelope.model_validate_json(body)
            return _json(200, {"ack": self.send(message)})
        except ValueError as exc:
            return _json(400, {"error": f"expected a canonical envelope: {exc}"})
        except GridhubError as exc:
            status = 400 if isinstance(exc, InvalidMessage) else 502  # ours vs gridhub's
            return _json(status, {"error": str(exc), "class": type(exc).__name__})

    # -- client side: calling gridhub like the portal -------------------------------------

    def send(self, message: Envelope) -> str:
        """Call gridhub's inbound operation for ``message``; returns the acked message id."""
        element = self.wire.write(message)
        ack = self._gridhub().call(element)
        self.state.record_sent(etree.QName(element).localname, message, ack.MessageId)
        return str(ack.MessageId)

    def submit(self, case: Case, operation: str = "case.submitted", **fields: Any) -> str:
        """Send a whole case: ``case.submitted`` (default), ``case.resubmitted`` or
        ``case.completion.submitted``."""
        message = Envelope(case_id=case.case_id, type=operation, source="elsmart",
                           payload=case.model_dump(mode="json"), **fields)
        return self.send(message)

    def call(self, operation: str, case_id: str, payload: dict[str, Any],
             **fields: Any) -> str:
        """Send one canonical message type (e.g. ``case.note.added``) for ``case_id``."""
        return self.send(Envelope(case_id=case_id, type=operation, source="elsmart",
                                  payload=payload, **fields))

    def call_raw(self, document: bytes) -> bytes:
        """POST a raw SOAP envelope to gridhub (even an invalid one); failures raise."""
        if not self.gridhub_url:
            raise InvalidMessage("no gridhub_url to call", where="ElsmartSimulator")
        user, password = self.gridhub_auth
        client = HttpClient(self.gridhub_url, target="gridhub", timeout=self.timeout,
                            username=user, password=password, soap=True)
        try:
            return client.post("", document, content_type=soap.CONTENT_TYPE).body
        finally:
            client.close()

    def _gridhub(self) -> SoapCaller:
        with self._lock:
            if self._caller is None:
                if not self.gridhub_url:
                    raise InvalidMessage("no gridhub_url to call", where="ElsmartSimulator")
                user, password = self.gridhub_auth
                http = HttpClient(self.gridhub_url, target="gridhub", timeout=self.timeout,
                                  username=user, password=password)
                self._caller = SoapCaller(http, binding=GRIDHUB_BINDING)
            return self._caller




def _soap(status: int, body: bytes) -> Response:
    return Response(status, body, content_type=soap.CONTENT_TYPE)


def _json(status: int, body: dict[str, Any]) -> Response:
    return Response(status, json.dumps(body, ensure_ascii=False).encode())
