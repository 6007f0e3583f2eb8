"""A NIS simulator: XML over HTTP on loopback, speaking schemas/contracts/nis/nis.xsd.

Answers are written by hand (not through the connector's mapping) from the small grid in
:mod:`connectors.nis.grid`; requests are validated against the XSD (a violation is HTTP 400
with an Error document).

Failure modes (``.fail(mode)`` or ``POST /_control/fail {"mode": ...}``):
    slow        answers after ``slow_seconds`` (past the client's time-out)
    5xx         HTTP 503 with an Error document             -> transient
    soap-fault  no SOAP here: HTTP 200 with an answer that breaks nis.xsd -> permanent
    reject      HTTP 422 with an Error document             -> permanent
    down        closes the connection without answering     -> transient
``advance_projects()`` moves every open preparation project one step (the planners' work).
``POST /_control/reset``; ``GET /_control/state`` reports the failure mode, call counts and
registrations.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from lxml import etree

from connectors.nis import grid
from connectors.nis.contract import XSD_PATH, XsdContract
from connectors.nis.projects import ProjectBook
from hub.toolkit import (
    Credentials,
    FailureMode,
    InboundServer,
    Inbox,
    InvalidMessage,
    Request,
    Response,
    Simulator,
)
from hub.toolkit import parse_xml as parse

NS = "urn:gridhub:nis:v1"
N = f"{{{NS}}}"
XML = "application/xml; charset=utf-8"
SIGNATURE = "NIS Netbas (simulator)"




class _Refusal(Exception):
    def __init__(self, status: int, code: str, text: str) -> None:
        super().__init__(text)
        self.status, self.code, self.text = status, code, text


class NisSimulator(Simulator):
    name = "nis"
    default_port = 8103

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, state_dir: Path | None = None,
                 username: str = "gridhub", password: str | None = None,
                 slow_seconds: float = 5.0, today: date | None = None) -> None:
        super().__init__(host=host, port=port, state_dir=state_dir)
        self.credentials = Credentials(
            username=username, password=password or "simulator")
        self.slow_seconds = slow_seconds
        self.today = today  # the assessment date; None = the real date
        self.state = grid.NisState(state_dir / "nis.json" if state_dir else None)
        self.calls: dict[str, int] = {}
        self.market = Inbox()  # the datahub's documents, as canonical JSON (POST /nis/market)
        self._contract = XsdContract(XSD_PATH)
        self._server: InboundServer | None = None
        self._wake = threading.Event()
        self.projects = ProjectBook()  # the grid owner's preparation (beredning)

    @property
    def endpoint(self) -> str:
        return self.url + "/nis"

    def _down(self, path: str) -> bool:
        return self.failure == FailureMode.DOWN and not path.startswith("/_control/")

    def start(self) -> NisSimulator:
        self._wake.clear()
        self._server = InboundServer(self._handle, self.credentials, host=self.host,
                                      port=self.port, realm="nis",
                                      drop=self._down)
        self._server.start()
        self.port = self._server.port
        return self

    def stop(self) -> None:
        self._wake.set()
        if self._server is not None:
            self._server.stop()
            self._server = None

    def advance_projects(self) -> int:
        """The planners' work: every open project one step on (beredning pågår, färdig)."""
        return self.projects.advance()

    def reset(self) -> None:
        """No failure, no registrations (``POST /_control/reset``)."""
        self.failure = FailureMode.NONE
        self.calls = {}
        self.state = grid.NisState(self.state.path, fresh=True)
        self.projects = ProjectBook()

    # -- HTTP ----------------------------------------------------------------------------------

    def _handle(self, request: Request) -> Response:
        if request.path.startswith("/_control/"):
            return self._control(request)
        if request.path == "/nis/market" and request.method == "POST":
            return self.market.take(request.body)
        routes = {"/nis/griddata": self._griddata, "/nis/installations": self._install,
                  "/nis/projects/events": self.projects.answer}
        if request.path not in routes or request.method != "POST":
            return _error(404, "OKAND_RESURS", f"no resource {request.method} {request.path}")
        self.calls[request.path] = self.calls.get(request.path, 0) + 1
        if self.failure == FailureMode.SLOW:
            self._wake.wait(self.slow_seconds)
        if self.failure == FailureMode.SERVER_ERROR:
            return _error(503, "TILLFALLIGT_FEL", "NIS-databasen svarar inte")
        if self.failure == FailureMode.REJECT:
            return _error(422, "AVVISAD", "Förfrågan avvisad av NIS")
        try:
            root = parse(request.body, where="NIS request")
            self._contract.validate(root, where="NIS request")
            answer = routes[request.path](root)
        except InvalidMessage as exc:
            return _error(400, "OGILTIG_BEGARAN", str(exc))
        except _Refusal as exc:
            return _error(exc.status, exc.code, exc.text)
        if self.failure == FailureMode.SOAP_FAULT:
            _break_contract(answer)
        return Response(200, etree.tostring(answer, xml_declaration=True, encoding="utf-8"), XML)

    def _griddata(self, req: etree._Element) -> etree._Element:
        if req.tag != N + "GridDataRequest":
            raise InvalidMessage(f"POST a GridDataRequest here, not {req.tag}", where="body")
        facility_id, meter = req.findtext(N + "FacilityId"), req.findtext(N + "MeterNumber")
        named, postcode = req.findtext(N + "Substation"), req.findtext(f"{N}Address/{N}Postcode")
        fuse_text = req.findtext(N + "MainFuse")
        known = self.state.facilities.get(facility_id or "") or next(
            (f for f in self.state.facilities.values() if meter and f["meter_number"] == meter),
            None)
        if named:
            if named not in grid.SUBSTATIONS:
                raise _Refusal(404, "OKAND_NATSTATION", f"Nätstation {named} finns inte")
            substation = grid.SUBSTATIONS[named]
        elif known is not None:
            substation = grid.SUBSTATIONS[known["substation"]]
        elif postcode:
            substation = grid.substation_for_postcode(postcode)
        else:
            raise _Refusal(404, "OKAND_ANLAGGNING", "Anläggningen finns inte i NIS")
        address = req.find(N + "Address")
        place = " ".join(t.strip() for t in address.itertext()) if address is not None else ""
        key = facility_id or meter or place or named or ""
        fuse = int(fuse_text) if fuse_text else (known or {}).get("main_fuse_a")
        self.projects.open(req.findtext(N + "CaseRef") or "", req.findtext(N + "InstallationType"))
        return self._grid_answer(req.findtext(N + "CaseRef") or "",
                                 grid.answer(key, substation, fuse))

    def _grid_answer(self, case_ref: str, data: dict[str, Any]) -> etree._Element:
        out = etree.Element(N + "GridDataResponse", nsmap={"n": NS})
        _sub(out, "CaseRef", case_ref)
        service = _sub(out, "Service")
        for key, tag in (("substation", "Substation"), ("laying", "Laying"),
                         ("earthing", "Earthing"), ("conductor", "Conductor"),
                         ("phases", "Phases")):
            _sub(service, tag, data[key])
        cable = _sub(out, "Cable")
        for key, tag in (("cable_type", "Type"), ("cable_count", "Count"), ("mm2", "DimensionMm2")):
            _sub(cable, tag, data[key])
        _sub(out, "EarthFaultImpedanceMilliohm", data["zn"])
        _sub(out, "ShortCircuitCurrentKiloampere", data["ik"])
        _sub(out, "DistanceMetre", data["distance"])
        for key, tag in (("service_fuse", "ServiceFuse"), ("line_fuse", "ServiceLineFuse")):
            fuse = _sub(out, tag)
            _sub(fuse, "Placement", data[key][0])
            _sub(fuse, "Rating", data[key][1])
        if "info" in data:
            _sub(out, "Info", data["info"])
        assessment = _sub(out, "Assessment")
        _sub(assessment, "Decision", data["decision"])
        _sub(assessment, "Date", (self.today or datetime.now(UTC).date()).isoformat())
        _sub(assessment, "By", SIGNATURE)
        return out

    def _install(self, req: etree._Element) -> etree._Element:
        if req.tag != N + "InstallationRegistration":
            raise InvalidMessage(f"POST an InstallationRegistration here, not {req.tag}",
                                 where="body")
        substation = req.findtext(N + "Substation")
        if substation and substation not in grid.SUBSTATIONS:
            raise _Refusal(422, "OKAND_NATSTATION", f"Nätstation {substation} finns inte")
        facility_id = req.findtext(N + "FacilityId") or ""
        fields: dict[str, Any] = {k: req.findtext(N + t) for k, t in (
            ("meter_number", "MeterNumber"), ("technical_number", "TechnicalNumber"),
            ("substation", "Substation"))}
        # the documentation NIS files with the installation (names and kinds)
        fields["documents"] = [{"name": d.findtext(N + "Name"), "kind": d.findtext(N + "Kind")}
                               for d in req.iterfind(f"{N}Documents/{N}Document")]
        object_id, new = self.state.register(req.findtext(N + "CaseRef") or "", facility_id,
                                             fields)
        out = etree.Element(N + "InstallationReceipt", nsmap={"n": NS})
        _sub(out, "CaseRef", req.findtext(N + "CaseRef"))
        _sub(out, "FacilityId", facility_id)
        _sub(out, "ObjectId", object_id)
        _sub(out, "Status", "REGISTRERAD" if new else "REDAN_REGISTRERAD")
        return out

    # -- control -------------------------------------------------------------------------------

    def _control(self, request: Request) -> Response:
        try:
            if request.path == "/_control/fail" and request.method == "POST":
                self.fail(json.loads(request.body or b"{}")["mode"])
                return _json(200, {"mode": self.failure.value})
            if request.path == "/_control/reset" and request.method == "POST":
                self.reset()
                return _json(200, {"reset": True})
            if request.path == "/_control/state" and request.method == "GET":
                return _json(200, {"failure": self.failure.value, "calls": self.calls,
                                   "installations": len(self.state.installations)})
        except (ValueError, KeyError, TypeError) as exc:
            return _json(400, {"error": f"bad control request: {exc!r}"})
        return _json(404, {"error": f"no control endpoint {request.method} {request.path}"})


def _break_contract(answer: etree._Element) -> None:
    """soap-fault mode: an answer a sloppy NIS might send (an element nis.xsd does not know)."""
    etree.SubElement(answer, N + "Debug").text = "stack trace omitted"


def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    node = etree.SubElement(parent, N + tag)
    if text is not None:
        node.text = text
    return node


def _error(status: int, code: str, text: str) -> Response:
    out = etree.Element(N + "Error", nsmap={"n": NS})
    _sub(out, "Code", code)
    _sub(out, "Text", text[:4000])
    return Response(status, etree.tostring(out, xml_declaration=True, encoding="utf-8"), XML)


def _json(status: int, doc: dict[str, Any]) -> Response:
    return Response(status, json.dumps(doc, ensure_ascii=False).encode())
