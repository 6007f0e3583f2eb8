"""The simulated datahub's business: its metering points, its rules, its queues.

Rules (a small, documented subset of Elhub's validation tables, structure reference 6 and 5):

    master data   unknown process -> EH055;  no StartOfOccurrence -> EH032
      new (121)   GSRN known or bad check digit -> E10; no grid area -> EH041;
                  no address -> E86; no MeteringPointType -> EH039; no settlement -> EH038
      122/302/212 GSRN unknown -> E10;  activation with a grid area -> EH064;
                  meter change without a meter -> EH032
    values (313)  RequestPositiveAcknowledgement -> EH065 (whole document);
                  per series: GSRN unknown -> E10; End <= Start -> E50;
                  Observations != intervals of the period, or Sequence not 1..n -> E87
    reject mode   every business document -> 41 E14

A positive acknowledgement (39) is made only when the document asked for one. A document id
seen before gets its first answer again and changes nothing (idempotent receipt).
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from lxml import etree

from connectors.elhub import acknowledgement, emif, polling
from hub.toolkit import InvalidMessage
from hub.toolkit import parse_xml as parse
from schemas.identifiers import Gsrn, IdentifierError

_STEP = {"PT15M": timedelta(minutes=15), "PT60M": timedelta(hours=1),
         "PT1H": timedelta(hours=1)}
QUEUES = ("market", "metering")
MAX_ANSWERED = 10_000


@dataclass
class _Outstanding:
    result_id: str
    documents: list[bytes]


@dataclass
class Datahub:
    gln: str
    metering_points: dict[str, dict[str, Any]] = field(default_factory=dict)
    values_received: dict[str, int] = field(default_factory=dict)  # gsrn -> observations
    acknowledgements: list[dict[str, Any]] = field(default_factory=list)  # via Acknowledge
    queues: dict[str, list[bytes]] = field(default_factory=lambda: {q: [] for q in QUEUES})
    outstanding: dict[str, _Outstanding | None] = field(
        default_factory=lambda: {q: None for q in QUEUES})
    answered: dict[str, list[bytes]] = field(default_factory=dict)  # document id -> acks
    reject_all: bool = False
    received: list[etree._Element] = field(default_factory=list)  # every other kind sent in
    lock: threading.RLock = field(default_factory=threading.RLock)

    # -- documents in --------------------------------------------------------------------------

    def master_data(self, root: etree._Element) -> list[etree._Element]:
        """Apply a RequestUpdateMasterDataMeteringPoint; the acknowledgements it earns."""
        with self.lock:
            again = self._seen_before(root, "md")
            if again is not None:
                return again
            reasons = ["E14"] if self.reject_all else self._master_data_rules(root)
            if not reasons:
                self._apply(root)
            acks = []
            if reasons or _text(root, "md:Header/abie:RequestPositiveAcknowledgement") == "true":
                acks = [self._ack(root, reasons)]
            return self._remember(root, "md", acks)

    def _seen_before(self, root: etree._Element, prefix: str) -> list[etree._Element] | None:
        """A document id received before gets the same answer again, and changes nothing:
        senders retry after time-outs, and at-least-once must not apply twice."""
        known = self.answered.get(_text(root, f"{prefix}:Header/abie:Identification") or "")
        return None if known is None else [parse(a, where="stored answer") for a in known]

    def _remember(self, root: etree._Element, prefix: str, acks: list[etree._Element]
                  ) -> list[etree._Element]:
        if not self.reject_all:  # a simulated outage is not a decision to remember
            doc_id = _text(root, f"{prefix}:Header/abie:Identification") or ""
            self.answered[doc_id] = [etree.tostring(a) for a in acks]
            while len(self.answered) > MAX_ANSWERED:
                del self.answered[next(iter(self.answered))]
        return acks

    def _master_data_rules(self, root: etree._Element) -> list[str]:
        p = "md:PayloadMasterDataMPEvent/abie:"
        process = _text(root, "md:ProcessEnergyContext/abie:EnergyBusinessProcess")
        gsrn = _text(root, p + "MeteringPointUsedDomainLocation/abie:Identification") or ""
        known = gsrn in self.metering_points
        if process not in ("BRS-NO-121", "BRS-NO-122", "BRS-NO-302", "BRS-NO-212"):
            return ["EH055"]
        if _text(root, p + "StartOfOccurrence") is None:
            return ["EH032"]
        if process == "BRS-NO-121":
            checks = [("E10", known or not _valid_gsrn(gsrn)),
                      ("EH041", _text(root, p + "MeteringGridAreaUsedDomainLocation/"
                                      "abie:Identification") is None),
                      ("E86", _text(root, p + "MPAddressMeteringPointAddress/abie:Postcode")
                       is None),
                      ("EH039", _text(root, p + "MpDetailMeteringPointCharacteristic/"
                                      "abie:MeteringPointType") is None),
                      ("EH038", _text(root, p + "MpDetailMeteringPointCharacteristic/"
                                      "abie:SettlementMethodType") is None)]
            return [code for code, broken in checks if broken]
        if not known:
            return ["E10"]
        if process == "BRS-NO-122" and _text(
                root, p + "MeteringGridAreaUsedDomainLocation/abie:Identification"):
            return ["EH064"]
        if process == "BRS-NO-302" and _text(
                root, p + "MeteringInstallationMeterFacility/abie:MeterIdentification") is None:
            return ["EH032"]
        return []

    def _apply(self, root: etree._Element) -> None:
        p = "md:PayloadMasterDataMPEvent/abie:"
        process = _text(root, "md:ProcessEnergyContext/abie:EnergyBusinessProcess")
        gsrn = _text(root, p + "MeteringPointUsedDomainLocation/abie:Identification") or ""
        point = self.metering_points.setdefault(gsrn, {"status": "new"})
        point["status"] = {"BRS-NO-121": "new", "BRS-NO-122": "active",
                           "BRS-NO-212": "inactive"}.get(process or "", point["status"])
        meter = _text(root, p + "MeteringInstallationMeterFacility/abie:MeterIdentification")
        if meter:
            point["meter_number"] = meter
        kind = _text(root, p + "MpDetailMeteringPointCharacteristic/abie:MeteringPointType")
        if process == "BRS-NO-121" and kind:
            point["type"] = kind  # E17 consumption, E18 production (a plus customer's innmating)
        point["grid_owner"] = _text(root, "md:Header/abie:JuridicalSenderEnergyParty/"
                                          "abie:Identification")

    def collected_data(self, root: etree._Element) -> list[etree._Element]:
        """Take in a CollectedData (global root name); an acknowledgement per rejection."""
        with self.lock:
            again = self._seen_before(root, "cd")
            if again is not None:
                return again
            if _text(root, "cd:Header/abie:RequestPositiveAcknowledgement") is not None:
                return self._remember(root, "cd", [self._ack(root, ["EH065"])])
            acks = []
            for series in root.iterfind(emif.tag("cd", "PayloadEnergyTimeSeries")):
                reasons = ["E14"] if self.reject_all else self._series_rules(series)
                if reasons:
                    acks.append(self._ack(root, reasons, series.findtext(
                        emif.tag("abie", "Identification"))))
                    continue
                gsrn = _text(series, "abie:MeteringPointUsedDomainLocation/abie:Identification")
                count = len(series.findall(emif.tag("abie", "Observation")))
                self.values_received[gsrn or ""] = self.values_received.get(gsrn or "", 0) \
                    + count
            return self._remember(root, "cd", acks)

    def _series_rules(self, series: etree._Element) -> list[str]:
        gsrn = _text(series, "abie:MeteringPointUsedDomainLocation/abie:Identification")
        if gsrn not in self.metering_points:
            return ["E10"]
        period = "abie:ObservationPeriodTimeSeriesPeriod/abie:"
        start, end = _text(series, period + "Start"), _text(series, period + "End")
        step = _STEP.get(_text(series, period + "ResolutionDuration") or "")
        if not start or not end or step is None:
            return ["EH032"]
        begin, finish = datetime.fromisoformat(start), datetime.fromisoformat(end)
        if finish <= begin:
            return ["E50"]
        sequences = [int(o.get("Sequence", "0"))
                     for o in series.iterfind(emif.tag("abie", "Observation"))]
        if sequences != list(range(1, int((finish - begin) / step) + 1)):
            return ["E87"]
        return []

    def _ack(self, root: etree._Element, reasons: list[str],
             payload_id: str | None = None) -> etree._Element:
        prefix = "md" if root.tag == emif.tag("md", etree.QName(root).localname) else "cd"
        return acknowledgement.build(
            acknowledgement.REJECTED if reasons else acknowledgement.ACCEPTED,
            _text(root, f"{prefix}:Header/abie:Identification") or "",
            sender=self.gln, created=datetime.now(UTC), document_id=str(uuid.uuid4()),
            recipient=_text(root, f"{prefix}:Header/abie:PhysicalSenderEnergyParty/"
                                  "abie:Identification") or self.gln,
            reasons=tuple(reasons), original_payload_id=payload_id,
            process=_text(root, f"{prefix}:ProcessEnergyContext/abie:EnergyBusinessProcess"),
            role=_text(root, f"{prefix}:ProcessEnergyContext/abie:EnergyBusinessProcessRole"),
            document_type="294")

    def acknowledge(self, ack: acknowledgement.Ack) -> None:
        with self.lock:
            self.acknowledgements.append({"status": ack.status, "original": ack.original_id,
                                          "reasons": list(ack.reasons)})

    # -- queues --------------------------------------------------------------------------------

    def enqueue(self, queue: str, document: etree._Element | bytes) -> None:
        data = document if isinstance(document, bytes) else etree.tostring(document)
        parse(data, where="queued document")  # refuse what could never be handed out
        with self.lock:
            self.queues[queue].append(data)

    def poll(self, queue: str, limit: int = 50) -> polling.PollResult | None:
        """The outstanding result again (until acknowledged), or the next batch, or None."""
        with self.lock:
            pending = self.outstanding[queue]
            if pending is None and self.queues[queue]:
                batch, self.queues[queue] = (self.queues[queue][:limit],
                                             self.queues[queue][limit:])
                pending = self.outstanding[queue] = _Outstanding(str(uuid.uuid4()), batch)
            if pending is None:
                return None
            return polling.PollResult(pending.result_id,
                                      [parse(d, where="queued document")
                                       for d in pending.documents])

    def ack_poll(self, queue: str, ack: acknowledgement.Ack) -> None:
        with self.lock:
            pending = self.outstanding[queue]
            if ack.status != acknowledgement.ACCEPTED:
                raise InvalidMessage("a poll result can only be acknowledged with 39",
                                     where="AcknowledgePoll")
            if pending is None or ack.original_id != pending.result_id:
                raise InvalidMessage("OriginalBusinessDocumentReference is not the "
                                     "outstanding poll-result id", where="AcknowledgePoll")
            self.outstanding[queue] = None

    # -- state ---------------------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        with self.lock:
            return {"metering_points": self.metering_points,
                    "values_received": self.values_received,
                    "acknowledgements": self.acknowledgements[-1000:],
                    "answered": {k: [a.decode() for a in v] for k, v in self.answered.items()},
                    "queues": {q: [d.decode() for d in docs] for q, docs in self.queues.items()},
                    "outstanding": {q: None if o is None else
                                    {"id": o.result_id, "documents": [d.decode()
                                                                      for d in o.documents]}
                                    for q, o in self.outstanding.items()}}

    def restore(self, state: dict[str, Any]) -> None:
        with self.lock:
            self.metering_points = state.get("metering_points", {})
            self.values_received = state.get("values_received", {})
            self.acknowledgements = state.get("acknowledgements", [])
            self.answered = {k: [a.encode() for a in v]
                             for k, v in state.get("answered", {}).items()}
            self.queues = {q: [d.encode() for d in state.get("queues", {}).get(q, [])]
                           for q in QUEUES}
            self.outstanding = {q: None for q in QUEUES}
            for q, o in (state.get("outstanding") or {}).items():
                if o is not None:
                    self.outstanding[q] = _Outstanding(o["id"], [d.encode()
                                                                 for d in o["documents"]])


def _text(element: etree._Element, path: str) -> str | None:
    found = element.find(path, namespaces=emif.NS)
    return found.text.strip() if found is not None and found.text else None


def _valid_gsrn(value: str) -> bool:
    try:
        Gsrn(value)
    except IdentifierError:
        return False
    return True
