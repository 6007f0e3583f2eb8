"""A KIS simulator: a SOAP 1.1 server on loopback speaking schemas/contracts/kis.

It writes its answers by hand (not through the connector's mapping), so a mapping mistake
cannot hide behind a matching mistake in the simulator. Given a grid owner's own contract (the
connector's ``mapping`` and ``xsd`` settings, `gridhub simulate kis --routes FILE`), it speaks
that one: each request is read with it and rewritten in the packaged names, and each answer
written by hand is turned into the grid owner's names the same way. Requests are validated
against the XSD like a strict KIS would (a violation is a soap:Client fault).

Failure modes (``.fail(mode)`` or ``POST /_control/fail {"mode": ...}``):
    slow        answers after ``slow_seconds`` (past the client's time-out)
    5xx         soap:Server fault, HTTP 500           -> transient
    soap-fault  soap:Client fault, HTTP 500           -> permanent
    reject      RegisterCustomer AVVISAD; other operations HTTP 403 -> permanent
    down        closes the connection without answering -> transient
Control: ``POST /_control/customers [{"customer_number", "customer": <Party>, "facilities":
[<Facility>]}]`` seeds customers and their facilities (canonical shapes; 400 naming the field
when one is wrong); ``POST /_control/billing {"case_ref": ..., "state": optional}`` adds a
billing event (the next step of the case's chain when no state is given); ``POST /_control/reset``;
``GET /_control/state``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lxml import etree

from connectors.kis.contract import XSD_PATH, XsdContract
from connectors.kis.sim_state import KisState
from connectors.kis.wire import MAPPING_PATH, KisWire
from hub.toolkit import (
    Credentials,
    FailureMode,
    GridhubError,
    InboundServer,
    Inbox,
    InvalidMessage,
    Request,
    Response,
    Simulator,
    soap,
)

NS = "urn:gridhub:kis:v1"
K = f"{{{NS}}}"
PATH = "/kis"




class KisSimulator(Simulator):
    name = "kis"
    default_port = 8102

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, state_dir: Path | None = None,
                 username: str = "gridhub", password: str | None = None,
                 slow_seconds: float = 5.0, leak_personal_numbers: bool = False) -> None:
        super().__init__(host=host, port=port, state_dir=state_dir)
        self.credentials = Credentials(
            username=username, password=password or "simulator")
        self.slow_seconds = slow_seconds
        # A KIS that (wrongly) sends personal/organisation numbers, to prove they are dropped.
        self.leak_personal_numbers = leak_personal_numbers
        self.state = KisState(state_dir / "kis.json" if state_dir else None)
        self.calls: dict[str, int] = {}
        self.market = Inbox()  # the datahub's documents, as canonical JSON (POST /kis/market)
        self._contract = XsdContract(XSD_PATH)
        self._own: KisWire | None = None  # the grid owner's own mapping and contract
        self._server: InboundServer | None = None
        self._wake = threading.Event()

    def use_settings(self, settings: Mapping[str, Any]) -> None:
        mapping, xsd = settings.get("mapping"), settings.get("xsd")
        if mapping or xsd:
            self._own = KisWire(Path(mapping) if mapping else MAPPING_PATH,
                                Path(xsd) if xsd else XSD_PATH)

    @property
    def endpoint(self) -> str:
        return self.url + PATH

    def _down(self, path: str) -> bool:
        return self.failure == FailureMode.DOWN and not path.startswith("/_control/")

    def start(self) -> KisSimulator:
        self._wake.clear()
        self._server = InboundServer(self._handle, self.credentials, host=self.host,
                                      port=self.port, realm="kis",
                                      drop=self._down)
        self._server.start()
        self.port = self._server.port
        return self

    def stop(self) -> None:
        self._wake.set()
        if self._server is not None:
            self._server.stop()
            self._server = None

    def add_billing_event(self, case_ref: str, state: str | None = None) -> dict[str, Any]:
        return self.state.add_billing_event(case_ref, state)

    def reset(self) -> None:
        """Back to the seeded data, answering normally (``POST /_control/reset``)."""
        self.failure = FailureMode.NONE
        self.leak_personal_numbers = False
        self.calls = {}
        self.state = KisState(self.state.path, fresh=True)

    # -- HTTP ----------------------------------------------------------------------------------

    def _handle(self, request: Request) -> Response:
        if request.path.startswith("/_control/"):
            return self._control(request)
        if request.path == f"{PATH}/market" and request.method == "POST":
            return self.market.take(request.body)
        if request.path != PATH or request.method != "POST":
            return Response(404, b'{"error": "POST SOAP requests to /kis"}')
        action = request.headers.get("soapaction", "").strip('"').rpartition("/")[2] or "?"
        self.calls[action] = self.calls.get(action, 0) + 1
        if self.failure == FailureMode.SLOW:
            self._wake.wait(self.slow_seconds)
        if self.failure == FailureMode.SERVER_ERROR:
            return _soap(500, soap.fault("Server", "KIS database unavailable"))
        if self.failure == FailureMode.SOAP_FAULT:
            return _soap(500, soap.fault("Client", "request refused by KIS validation"))
        try:
            payload = soap.body_of(request.body, where="KIS request")
            if self._own is not None:
                payload = _translate(payload, self._own, KisWire.default())
            self._contract.validate(payload, where="KIS request")
            answer = self._operation(payload)
            if self._own is not None:
                answer = _translate(answer, KisWire.default(), self._own)
            return _soap(200, soap.envelope(answer))
        except GridhubError as exc:
            return _soap(*soap.fault_for(exc))
        except _Forbidden:
            return Response(403, b"KIS: access denied for this user", "text/plain")

    def _operation(self, payload: etree._Element) -> etree._Element:
        operation = etree.QName(payload).localname
        reject = self.failure == FailureMode.REJECT
        if operation == "LookupFacilityRequest":
            if reject:
                raise _Forbidden
            return self._lookup(payload)
        if operation == "RegisterCustomerRequest":
            return self._register(payload, reject)
        if operation == "ChangeTariffRequest":
            return self._tariff(payload, reject)
        if operation == "EndCustomerRequest":
            return self._end(payload, reject)
        if operation == "GetEventsRequest":
            if reject:
                raise _Forbidden
            return self._events(payload)
        if operation == "RegisterSupplyChangeRequest":
            if reject:
                raise _Forbidden
            return self._supply(payload)
        raise InvalidMessage(f"{operation} is not a KIS operation", where="soap:Body")

    def _lookup(self, req: etree._Element) -> etree._Element:
        code, text, facility, customer = self.state.lookup(req.findtext(K + "MeterNumber"),
                                                           req.findtext(K + "FacilityId"))
        out = etree.Element(K + "LookupFacilityResponse", nsmap={"k": NS})
        _sub(out, "CaseRef", req.findtext(K + "CaseRef"))
        status = _sub(out, "Status")
        _sub(status, "Code", str(code))
        _sub(status, "Text", text)
        if facility is not None:
            node = _sub(out, "Facility")
            for key, tag in (("facility_id", "FacilityId"), ("meter_number", "MeterNumber"),
                             ("technical_number", "TechnicalNumber"),
                             ("customer_number", "CustomerNumber"), ("substation", "Substation")):
                _sub(node, tag, facility.get(key))
            _address(node, facility["address"])
            _sub(node, "MainFuse", str(facility["main_fuse_a"]))
        if customer is not None:
            self._customer(out, customer)
        return out

    def _customer(self, parent: etree._Element, customer: dict[str, Any]) -> None:
        node = _sub(parent, "Customer")
        _sub(node, "Kind", customer["kind"])
        _sub(node, "Name", customer["name"])
        _sub(node, "CareOf", customer.get("co"))
        _address(node, customer["address"])
        _sub(node, "Phone", customer.get("phone"))
        _sub(node, "Email", customer.get("email"))
        _sub(node, "CustomerNumber", customer["customer_number"])
        if self.leak_personal_numbers:
            _sub(node, "PersonalNumber", customer.get("personal_number"))
            _sub(node, "OrganisationNumber", customer.get("organisation_number"))

    def _tariff(self, req: etree._Element, reject: bool) -> etree._Element:
        case_ref = req.findtext(K + "CaseRef")
        accepted, reason, tariff = (False, "Anläggningen är spärrad", None) if reject else \
            self.state.change_tariff(req.findtext(K + "MessageId") or "",
                                     req.findtext(K + "FacilityId") or "",
                                     int(req.findtext(K + "MainFuse") or 0))
        out = etree.Element(K + "ChangeTariffResponse", nsmap={"k": NS})
        _sub(out, "CaseRef", case_ref)
        _sub(out, "Result", "OK" if accepted else "AVVISAD")
        _sub(out, "Reason", reason)
        _sub(out, "Tariff", tariff)
        return out

    def _end(self, req: etree._Element, reject: bool) -> etree._Element:
        case_ref = req.findtext(K + "CaseRef")
        accepted, reason = (False, "Kunden är spärrad") if reject else self.state.end_customer(
            req.findtext(K + "CustomerNumber") or "", req.findtext(K + "FacilityId") or "",
            req.findtext(K + "EndedOn"))
        out = etree.Element(K + "EndCustomerResponse", nsmap={"k": NS})
        _sub(out, "CaseRef", case_ref)
        _sub(out, "Result", "OK" if accepted else "AVVISAD")
        _sub(out, "Reason", reason)
        return out

    def _register(self, req: etree._Element, reject: bool) -> etree._Element:
        case_ref = req.findtext(K + "CaseRef")
        accepted: bool
        reason: str | None
        if reject:
            accepted, reason = False, "Kunden är spärrad för registrering"
        else:
            accepted, reason = self.state.register(
                req.findtext(K + "MessageId") or "", case_ref or "",
                req.findtext(K + "CustomerNumber") or "", req.findtext(K + "FacilityId"),
                new_customer=_party(req.find(K + "EndCustomer")),
                new_facility=_facility(req.find(K + "Facility")))
        out = etree.Element(K + "RegisterCustomerResponse", nsmap={"k": NS})
        _sub(out, "CaseRef", case_ref)
        _sub(out, "Result", "OK" if accepted else "AVVISAD")
        _sub(out, "Reason", reason)
        return out

    def _supply(self, req: etree._Element) -> etree._Element:
        change = {key: req.findtext(K + tag) or "" for key, tag in (
            ("facility_id", "FacilityId"), ("change", "Change"), ("reason", "Reason"),
            ("effective_on", "EffectiveOn"), ("supplier", "Supplier"),
            ("case_ref", "CaseRef"))}
        answer = self.state.register_supply(req.findtext(K + "MessageId") or "", change)
        out = etree.Element(K + "RegisterSupplyChangeResponse", nsmap={"k": NS})
        _sub(out, "CaseRef", change["case_ref"])
        _sub(out, "Result", answer["result"])
        _sub(out, "Reason", answer.get("reason"))
        _sub(out, "PreviousSupplier", answer.get("previous_supplier"))
        if "in_operation" in answer:
            _sub(out, "InOperation", "true" if answer["in_operation"] else "false")
        _sub(out, "MeterNumber", answer.get("meter_number"))
        return out

    def _events(self, req: etree._Element) -> etree._Element:
        try:
            events, cursor = self.state.events_after(req.findtext(K + "Cursor"),
                                                     int(req.findtext(K + "MaxEvents") or 100))
        except ValueError as exc:
            raise InvalidMessage(str(exc), where="GetEventsRequest/Cursor") from exc
        out = etree.Element(K + "GetEventsResponse", nsmap={"k": NS})
        holder = _sub(out, "Events")
        for event in events:
            node = _sub(holder, "Event")
            for key, tag in (("event_id", "EventId"), ("case_ref", "CaseRef"),
                             ("occurred_at", "OccurredAt"), ("kind", "Kind"),
                             ("quote_number", "QuoteNumber"),
                             ("invoice_number", "InvoiceNumber"), ("amount", "Amount"),
                             ("currency", "Currency")):
                _sub(node, tag, event.get(key))
        _sub(out, "NextCursor", cursor)
        return out

    # -- control -------------------------------------------------------------------------------

    def _control(self, request: Request) -> Response:
        try:
            body = json.loads(request.body or b"{}")
            if request.path == "/_control/fail" and request.method == "POST":
                self.fail(body["mode"])
                return _json(200, {"mode": self.failure.value})
            if request.path == "/_control/reset" and request.method == "POST":
                self.reset()
                return _json(200, {"reset": True})
            if request.path == "/_control/customers" and request.method == "POST":
                return _json(200, self.state.seed(body))
            if request.path == "/_control/billing" and request.method == "POST":
                return _json(200, self.add_billing_event(body["case_ref"], body.get("state")))
            if request.path == "/_control/state" and request.method == "GET":
                data = self.state.data
                return _json(200, {"failure": self.failure.value, "calls": self.calls,
                                   "facilities": len(data["facilities"]),
                                   "registrations": len(data["registrations"]),
                                   "supply_changes": len(data.get("supply_changes", {})),
                                   "events": len(data["events"])})
        except (ValueError, KeyError, TypeError) as exc:
            return _json(400, {"error": f"bad control request: {exc!r}"})
        return _json(404, {"error": f"no control endpoint {request.method} {request.path}"})


def _translate(element: etree._Element, source: KisWire, target: KisWire) -> etree._Element:
    """``element`` in ``target``'s names: read by one mapping and contract, written by the
    other (a contract violation on either side is the InvalidMessage a strict KIS faults on)."""
    kind = source.kind_of(element)
    return target.write(kind, source.read(kind, element))


class _Forbidden(Exception):
    """reject mode on a read operation: KIS's gateway refuses the user (HTTP 403)."""


def _sub(parent: etree._Element, tag: str, text: str | None = "") -> etree._Element:
    """Append ``tag`` with ``text``; a None text appends nothing (an absent optional)."""
    if text is None:
        return parent
    node = etree.SubElement(parent, K + tag)
    if text:
        node.text = text
    return node


def _address(parent: etree._Element, address: dict[str, str]) -> None:
    node = _sub(parent, "Address")
    for key, tag in (("street", "Street"), ("postcode", "Postcode"), ("town", "Town"),
                     ("country", "Country")):
        _sub(node, tag, address.get(key))


def _soap(status: int, body: bytes) -> Response:
    return Response(status, body, soap.CONTENT_TYPE)


def _json(status: int, doc: dict[str, Any]) -> Response:
    return Response(status, json.dumps(doc, ensure_ascii=False).encode())


def _address_of(node: etree._Element) -> dict[str, Any]:
    return {"street": node.findtext(K + "Street"), "postcode": node.findtext(K + "Postcode"),
            "town": node.findtext(K + "Town"), "country": node.findtext(K + "Country") or "SE"}


def _party(node: etree._Element | None) -> dict[str, Any] | None:
    """A customer record as the register keeps it, from a RegisterCustomer's EndCustomer."""
    if node is None:
        return None
    address = node.find(K + "Address")
    record = {"kind": node.findtext(K + "Kind"), "name": node.findtext(K + "Name"),
              "address": _address_of(address) if address is not None else None,
              "phone": node.findtext(K + "Phone")}
    for key, tag in (("personal_number", "PersonalNumber"),
                     ("organisation_number", "OrganisationNumber")):
        if node.findtext(K + tag):
            record[key] = node.findtext(K + tag)
    return record


def _facility(node: etree._Element | None) -> dict[str, Any] | None:
    if node is None:
        return None
    address = node.find(K + "Address")
    fuse = node.findtext(K + "MainFuse")
    return {"facility_id": node.findtext(K + "FacilityId"),
            "meter_number": node.findtext(K + "MeterNumber"),
            "technical_number": node.findtext(K + "TechnicalNumber"),
            "substation": node.findtext(K + "Substation"),
            "address": _address_of(address) if address is not None else None,
            "main_fuse_a": int(fuse) if fuse else 25}
