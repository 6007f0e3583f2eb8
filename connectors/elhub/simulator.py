"""A datahub on loopback: the Elhub-style SOAP services, verifying every signature.

    POST /WebService/services/MarketProcesses        RequestUpdateMasterDataMeteringPoint
    POST /WebService/services/MeteringValues         CollectedData, Acknowledge
    POST /WebService/services/PollMarketProcesses    PollForData, AcknowledgePoll
    POST /WebService/services/PollMeteringValues     PollForData, AcknowledgePoll
    POST /WebService/services/Query                  (no operation simulated yet)
    POST /_control/fail               {"mode": "slow|5xx|soap-fault|reject|down|none",
                                       "seconds": N}   (down: back up after N s, default 5)
    POST /_control/meteringpoints     {"gsrn": ..., "status": "active", "meter_number": ...}
    POST /_control/queue              {"queue": "market|metering", "document": "<xml/>"}
    GET  /_control/state

Every request must follow the WS-Security policy (section 22): a BinarySecurityToken
referenced directly, a Timestamp before the Signature, Body and Timestamp signed with the
configured algorithm suite (``algorithm_suite``). Unsigned, tampered, expired, in another
layout or suite, or signed with another certificate than the trusted one is a SOAP Client
fault, CodeGroup Security. The SOAPAction must name the operation of the body's wrapper, the
operation must belong to the service at the path, and the document's role must be one its
process takes from a sender (:mod:`connectors.elhub.policy`): else a Client fault, Other.
Every answer, faults included, is signed with the simulator's own key pair (``certificate``,
``private_key``: ``gridhub simulate elhub --certificate --private-key``; else a development
pair made at start, see :attr:`ElhubSimulator.certificate`), unless ``sign_answers`` is off.
A document that breaks the XSD is a Client fault, CodeGroup XSD. Business outcomes follow
the rules in :mod:`connectors.elhub.datahub`; with ``ack_mode="sync"`` acknowledgements come
back in the answer (gridhub's contract extension), with ``"poll"`` they are queued for
PollForData, as Elhub does. Failure modes: slow (answers after ``slow_seconds``), 5xx (Server
fault, System), soap-fault (Client fault, Other), reject (41 E14 to everything), down.
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lxml import etree

from connectors.elhub import acknowledgement, documents, emif, kinds, policy, polling, wssecurity
from connectors.elhub.datahub import Datahub
from hub.toolkit import (
    FailureMode,
    InboundServer,
    InvalidMessage,
    Request,
    Response,
    Simulator,
    soap,
    write_dev_certificate,
)
from hub.toolkit import parse_xml as parse

_JSON = "application/json"
PATH = "/WebService/services/"  # + the service's WSDL file name (section 21.1)
FAULT_NS = "urn:no:elhub:emif:wsdl:common:v2"


class _Fault(Exception):
    def __init__(self, code: str, group: str, message: str, text: str | None = None) -> None:
        super().__init__(message)
        self.code, self.group, self.text = code, group, text


class ElhubSimulator(Simulator):
    name = "elhub"
    default_port = 8105

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0,
                 state_dir: Path | None = None, trusted_certificate: bytes | Path | None = None,
                 ack_mode: str = "sync", slow_seconds: float = 5.0,
                 gln: str | None = None, algorithm_suite: str = "Basic256",
                 signature_method: str | None = None, certificate: Path | None = None,
                 private_key: Path | None = None, sign_answers: bool = True) -> None:
        super().__init__(host=host, port=port, state_dir=state_dir)
        self.trusted_certificate = trusted_certificate
        self.suite = wssecurity.suite(algorithm_suite, signature_method)
        self.certificate, self.private_key = certificate, private_key
        self.sign_answers = sign_answers
        self._signer: wssecurity.Signer | None = None
        if ack_mode not in ("sync", "poll"):
            raise ValueError("ack_mode is 'sync' or 'poll'")
        self.ack_mode = ack_mode
        self.slow_seconds = slow_seconds
        self.hub = Datahub(gln or emif.parties()["elhub_gln"])
        self._lock = threading.RLock()
        self._server: InboundServer | None = None
        self._running = False
        self._trusted: bytes | None = None
        self.faults: list[str] = []  # "Group: message" of every fault answered (for tests)

    # -- life cycle ----------------------------------------------------------------------------

    def start(self) -> ElhubSimulator:
        # Without a trusted certificate any valid signature is accepted (tampering and
        # unsigned messages are still refused): `gridhub simulate elhub --trusted-cert FILE`.
        cert = self.trusted_certificate
        self._trusted = Path(cert).read_bytes() if isinstance(cert, str | Path) else cert
        self._signer = self._answer_signer() if self.sign_answers else None
        if self._state_file is not None and self._state_file.exists():
            self.hub.restore(json.loads(self._state_file.read_text(encoding="utf-8")))
        self._running = True
        if self.failure != FailureMode.DOWN:
            self._listen()
        return self

    def stop(self) -> None:
        self._running = False
        with self._lock:
            if self._server is not None:
                self._server.stop()
                self._server = None

    def fail(self, mode: FailureMode | str) -> None:
        super().fail(mode)
        self.hub.reject_all = self.failure == FailureMode.REJECT
        if not self._running:
            return
        with self._lock:
            if self.failure == FailureMode.DOWN and self._server is not None:
                self._server.stop()
                self._server = None
            elif self.failure != FailureMode.DOWN and self._server is None:
                self._listen()

    def _answer_signer(self) -> wssecurity.Signer:
        """The simulator's own pair: given (made there at the first start), or made for
        this run."""
        cert, key = self.certificate, self.private_key
        if cert and key and not (Path(cert).is_file() and Path(key).is_file()) and \
                Path(cert).parent == Path(key).parent and \
                (Path(cert).name, Path(key).name) == ("cert.pem", "key.pem"):
            write_dev_certificate(Path(cert).parent, "elhub simulator")  # first start
        if not cert or not key:
            where = (self.state_dir or Path(tempfile.mkdtemp(prefix="elhub-sim-"))) / "sim-cert"
            cert, key = write_dev_certificate(where, "elhub simulator")
        self.certificate, self.private_key = Path(cert), Path(key)
        return wssecurity.Signer(self.certificate, self.private_key, algorithms=self.suite)

    def _listen(self) -> None:
        self._server = InboundServer(self._handle, None, host=self.host, port=self.port).start()
        self.port = self._server.port  # a restart after "down" binds the same port

    def add_metering_point(self, gsrn: str, status: str = "active", **fields: Any) -> None:
        with self.hub.lock:
            self.hub.metering_points[gsrn] = {"status": status, **fields}
        self._save()

    def queue(self, queue: str, document: etree._Element | bytes) -> None:
        """Put a market message in a queue for PollForData ("market" or "metering")."""
        self.hub.enqueue(queue, document)
        self._save()

    # -- HTTP / SOAP ---------------------------------------------------------------------------

    def _handle(self, request: Request) -> Response:
        if request.path.startswith("/_control/"):
            return self._control(request.path.removeprefix("/_control/").rstrip("/"), request)
        if self.failure == FailureMode.SLOW:
            time.sleep(self.slow_seconds)
        try:
            if self.failure == FailureMode.SERVER_ERROR:
                raise _Fault("Server", "System", "the datahub is unavailable (simulated)")
            if self.failure == FailureMode.SOAP_FAULT:
                raise _Fault("Client", "Other", "the datahub refuses the call (simulated)")
            answer = self._soap(request)
            self._save()
            return Response(200, self._signed(answer), soap.CONTENT_TYPE)
        except _Fault as fault:
            self.faults.append(f"{fault.group}: {fault}")
            return Response(500, self._signed(_fault(fault)), soap.CONTENT_TYPE)

    def _signed(self, payload: etree._Element) -> bytes:
        envelope = etree.Element(f"{{{soap.SOAP_NS}}}Envelope", nsmap={"soap": soap.SOAP_NS})
        etree.SubElement(envelope, f"{{{soap.SOAP_NS}}}Body").append(payload)
        if self._signer is not None:
            self._signer.sign(envelope)
        return etree.tostring(envelope, xml_declaration=True, encoding="utf-8")

    def _soap(self, request: Request) -> etree._Element:
        if request.method != "POST" or not request.path.startswith(PATH):
            raise _Fault("Client", "Other", f"no SOAP service at {request.method} "
                         f"{request.path}")
        try:
            envelope = parse(request.body, where="SOAP envelope")
            wrapper = soap.body_of(request.body)
        except InvalidMessage as exc:
            raise _Fault("Client", "XSD", "the message is not a SOAP 1.1 envelope",
                         str(exc)) from exc
        try:
            wssecurity.verify(envelope, self._trusted, suites=[self.suite], strict=True)
        except wssecurity.SecurityError as exc:
            raise _Fault("Client", "Security", f"WS-Security check failed: {exc}",
                         str(exc)) from exc
        service = polling.SERVICES.get(etree.QName(wrapper).namespace or "")
        if service is None or request.path.rstrip("/") != f"{PATH}{service.name}":
            raise _Fault("Client", "Other", f"{etree.QName(wrapper).localname} is not an "
                         f"operation of {request.path}")
        refused = policy.operation_error(service.name, etree.QName(wrapper).localname,
                                         request.headers.get("soapaction"))
        if refused:
            raise _Fault("Client", "Other", refused)
        if len(wrapper) != 1:
            raise _Fault("Client", "XSD", f"{etree.QName(wrapper).localname} must hold "
                         "exactly one document")
        context = "{*}ProcessEnergyContext"  # in the root's namespace, or CollectedData's
        refused = policy.role_error(
            wrapper[0].findtext(f"{context}/{{{emif.ABIE}}}EnergyBusinessProcess"),
            wrapper[0].findtext(f"{context}/{{{emif.ABIE}}}EnergyBusinessProcessRole"))
        if refused:
            raise _Fault("Client", "Other", f"the document was not taken in: {refused}")
        try:
            return self._operation(service, etree.QName(wrapper).localname, wrapper[0])
        except InvalidMessage as exc:
            group = "XSD" if "breaks the contract" in str(exc) else "Other"
            raise _Fault("Client", group, f"the document was not taken in: {exc}"[:500],
                         str(exc)[:1000]) from exc

    def _operation(self, service: polling.Service, operation: str, document: etree._Element
                   ) -> etree._Element:
        if operation == "RequestUpdateMasterDataMeteringPointRequest":
            emif.validate(document, where="RequestUpdateMasterDataMeteringPoint")
            return self._answer(service, "RequestUpdateMasterDataMeteringPointResponse",
                                self.hub.master_data(document), "market")
        if operation == "CollectedDataRequest":
            document.tag = documents.COLLECTED  # the wrapper's local element: same content
            emif.validate(document, where="CollectedData")
            return self._answer(service, "CollectedDataResponse",
                                self.hub.collected_data(document), "metering")
        if operation == "AcknowledgeRequest":
            self.hub.acknowledge(acknowledgement.read(document))
            return etree.Element(service.tag("AcknowledgeResponse"))
        queue = "market" if service is polling.POLL_MARKET else "metering"
        if operation == "PollForDataRequest":
            polling.read_request(document)
            return polling.response(service, self.hub.poll(queue))
        if operation == "AcknowledgePollRequest":
            self.hub.ack_poll(queue, acknowledgement.read(document))
            return etree.Element(service.tag("AcknowledgePollResponse"))
        root = operation.removesuffix("Request")
        if kinds.kind_of(document) is not None and etree.QName(document).localname == root:
            kinds.read(document)  # validated against its XSD; kept for the test to see
            with self.hub.lock:
                self.hub.received.append(document)
            return etree.Element(service.tag(f"{root}Response"))
        raise _Fault("Client", "Other", f"unknown operation {operation}")

    def _answer(self, service: polling.Service, name: str, acks: list[etree._Element],
                queue: str) -> etree._Element:
        answer = etree.Element(service.tag(name))
        if self.ack_mode == "sync":
            answer.extend(acks)
        else:
            for ack in acks:
                self.hub.enqueue(queue, ack)
        return answer

    # -- control -------------------------------------------------------------------------------

    def _control(self, action: str, request: Request) -> Response:
        try:
            body = json.loads(request.body or b"{}")
            if action == "fail":
                mode = FailureMode(body.get("mode", "none"))
                seconds = float(body.get("seconds", 5))
                threading.Timer(0.05, self._switch, (mode, seconds)).start()
                return _json(200, {"mode": mode.value})
            if action == "meteringpoints":
                fields = {k: v for k, v in body.items() if k not in ("gsrn", "status")}
                self.add_metering_point(body["gsrn"], body.get("status", "active"), **fields)
                return _json(200, {"gsrn": body["gsrn"]})
            if action == "queue":
                self.queue(body["queue"], body["document"].encode("utf-8"))
                return _json(200, {"queued": len(self.hub.queues[body["queue"]])})
            if action == "state":
                return _json(200, self.hub.state())
        except (ValueError, KeyError, TypeError, InvalidMessage) as exc:
            return _json(400, {"error": str(exc)})
        return _json(404, {"error": f"no control action {action!r}"})

    def _switch(self, mode: FailureMode, seconds: float) -> None:
        self.fail(mode)
        if mode == FailureMode.DOWN:
            threading.Timer(seconds, self._come_back).start()

    def _come_back(self) -> None:
        if self.failure == FailureMode.DOWN:
            self.fail(FailureMode.NONE)

    # -- state ---------------------------------------------------------------------------------

    @property
    def _state_file(self) -> Path | None:
        return self.state_dir / "elhub.json" if self.state_dir else None

    def _save(self) -> None:
        if self._state_file is None:
            return
        tmp = self._state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.hub.state()), encoding="utf-8")
        tmp.replace(self._state_file)


def _fault(fault: _Fault) -> etree._Element:
    node = etree.Element(f"{{{soap.SOAP_NS}}}Fault")
    etree.SubElement(node, "faultcode").text = f"soap:{fault.code}"
    etree.SubElement(node, "faultstring").text = str(fault)
    detail = etree.SubElement(etree.SubElement(node, "detail"), f"{{{FAULT_NS}}}ElhubSOAPFault")
    etree.SubElement(detail, f"{{{FAULT_NS}}}CodeGroup").text = fault.group
    etree.SubElement(detail, f"{{{FAULT_NS}}}Description").text = str(fault)[:100]
    etree.SubElement(detail, f"{{{FAULT_NS}}}ExceptionDateTime").text = \
        datetime.now(UTC).isoformat(timespec="seconds")
    if fault.text:
        etree.SubElement(detail, f"{{{FAULT_NS}}}FaultText").text = fault.text[:1000]
    return node


def _json(status: int, body: Any) -> Response:
    return Response(status, json.dumps(body, ensure_ascii=False).encode("utf-8"), _JSON)
