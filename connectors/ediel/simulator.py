"""The Ediel simulator: a supplier's and the settlement party's Ediel systems on loopback.

It takes gridhub's mail on an SMTP server (aiosmtpd) on ``port``, reads the interchange with the
connector's own reader, and answers as the party the UNB addresses, the way a communication
gateway would deliver it: CONTRL and APERAK files written into ``reply_dir`` (the hub's Ediel
inbox). :meth:`send_start` / :meth:`send_end` drop a supplier's PRODAT Z03 / Z08 there.

Failure modes (``fail``): ``reject`` answers with a negative APERAK (ERC 41, field 512);
``no-answer`` (or ``slow``) answers nothing; ``syntax-error`` (or ``5xx``) a negative CONTRL
(29, counts); ``down`` refuses connections.
"""

from __future__ import annotations

import email
import itertools
import socket
import threading
from datetime import UTC, date, datetime
from email import policy
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from pydifact.segments import Segment

from connectors.ediel import acks, normaltime, syntax
from connectors.ediel.syntax import Interchange, Message, Party, component
from hub.toolkit import Simulator

SUPPLIER, SETTLEMENT, GRID_OWNER = "12345", "11111", "54321"
_ALIASES = {"5xx": "syntax-error", "soap-fault": "syntax-error", "slow": "no-answer"}


class EdielSimulator(Simulator):
    name = "ediel"
    default_port = 8026  # where the shipped routes.yaml sends the Ediel mail

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0,
                 state_dir: Path | None = None, reply_dir: Path | None = None,
                 grid_owner: str = GRID_OWNER) -> None:
        super().__init__(host=host, port=port, state_dir=state_dir)
        self.reply_dir = reply_dir or (state_dir / "to-gridhub" if state_dir
                                       else Path("var/ediel/inbox"))
        self.grid_owner = grid_owner
        self.mode = "none"
        self.received: list[dict[str, Any]] = []
        self.answered: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._numbers = itertools.count(1)
        self._smtp: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    def fail(self, mode: Any) -> None:
        """none | reject | no-answer | syntax-error | down (and the hub's generic names)."""
        text = str(getattr(mode, "value", mode))
        self.mode = _ALIASES.get(text, text)
        if self.mode == "down":
            self._stop_smtp()
        elif self._smtp is None and self.port:
            self._start_smtp()

    def start(self) -> EdielSimulator:
        if not self.port:
            with socket.socket() as s:
                s.bind((self.host, 0))
                self.port = int(s.getsockname()[1])
        self.reply_dir.mkdir(parents=True, exist_ok=True)
        if self.mode != "down":
            self._start_smtp()
        return self

    def stop(self) -> None:
        self._stop_smtp()

    def _start_smtp(self) -> None:
        self._smtp = Controller(_Handler(self), hostname=self.host, port=self.port)
        self._smtp.start()

    def _stop_smtp(self) -> None:
        if self._smtp is not None:
            self._smtp.stop()
            self._smtp = None

    # -- answering ----------------------------------------------------------------------------

    def take(self, raw: bytes) -> None:
        """One interchange from gridhub: note it and answer per the failure mode."""
        interchange = syntax.read(raw)
        with self._lock:
            self.received.append({"reference": interchange.reference,
                                   "to": interchange.recipient.id,
                                   "types": [m.type for m in interchange.messages],
                                   "functions": [component(m.first("BGM"), 0)
                                                 for m in interchange.messages],
                                   "documents": [component(m.first("BGM"), 1)
                                                 for m in interchange.messages],
                                   "raw": raw.decode("iso-8859-1")})
        if self.mode == "no-answer" or not interchange.ack_requested:
            return
        now = datetime.now(UTC)
        if self.mode == "syntax-error":
            self._reply(acks.contrl(interchange, reference=self._reference(), now=now,
                                    error_code="29", error_segment="UNT"), "contrl-negative")
            return
        self._reply(acks.contrl(interchange, reference=self._reference(), now=now), "contrl")
        for message in interchange.messages:
            if message.type in ("UTILTS", "PRODAT"):
                self._reply(self._aperak(interchange, message, now), f"aperak-{self.mode}")

    def _aperak(self, theirs: Interchange, message: Message, now: datetime) -> Interchange:
        """A UTILTS-style APERAK (312/313) naming the document, one block per transaction."""
        negative = self.mode == "reject"
        body = [Segment("BGM", "313" if negative else "312", f"SIM{next(self._numbers)}", "9"),
                Segment("DTM", ["137", normaltime.stamp(now), "203"]),
                Segment("DTM", ["735", "+0100", "406"]),
                Segment("DOC", [component(message.first("BGM"), 0), "", "260"],
                        component(message.first("BGM"), 1)),
                Segment("NAD", "MS", [theirs.recipient.id, "SVK", "260"]),
                Segment("NAD", "MR", [theirs.sender.id, "SVK", "260"]),
                Segment("ERC", ["41" if negative else "100", "", "260"]),
                Segment("FTX", "AAO", "", ["512", "", "260"] if negative else "",
                        "MANDATORY FIELD MISSING" if negative else "OK")]
        ident = ["APERAK", "D", "04A", "UN", "E5SE5A"]
        return Interchange(sender=theirs.recipient, recipient=theirs.sender,
                           reference=self._reference(), prepared=now.replace(tzinfo=None),
                           application_reference=theirs.application_reference,
                           ack_requested=True, messages=[Message("1", ident, body)])

    def _reply(self, interchange: Interchange, kind: str) -> None:
        self._drop(syntax.write(interchange), interchange.reference)
        with self._lock:
            self.answered.append({"kind": kind, "reference": interchange.reference})

    def _drop(self, raw: bytes, reference: str) -> Path:
        """Write like a gateway: a temporary name first, then renamed into the inbox."""
        target = self.reply_dir / f"{reference}.edi"
        partial = self.reply_dir / f".{reference}.partial"
        partial.write_bytes(raw)
        partial.replace(target)
        return target

    def _reference(self) -> str:
        return f"SIM{datetime.now(UTC):%H%M%S}{next(self._numbers):05d}"[:14]

    # -- a supplier's PRODAT ------------------------------------------------------------------

    def send_start(self, metering_point: str, start_on: date, *, reason: str = "Z22",
                   grid_area: str = "XYZ", case_reference: str | None = None,
                   supplier: str = SUPPLIER) -> str:
        """A Z03 (Z22 switch, Z23 move-in) into the hub's inbox; its case reference."""
        return self._prodat("Z03", "92", metering_point, start_on, reason, grid_area,
                            case_reference, supplier)

    def send_end(self, metering_point: str, end_on: date, *, reason: str = "Z25",
                 grid_area: str = "XYZ", case_reference: str | None = None,
                 supplier: str = SUPPLIER) -> str:
        """A Z08 (end of supply contract) into the hub's inbox; its case reference."""
        return self._prodat("Z08", "93", metering_point, end_on, reason, grid_area,
                            case_reference, supplier)

    def _prodat(self, document: str, qualifier: str, point: str, on: date, reason: str,
                area: str, case_reference: str | None, supplier: str) -> str:
        number = next(self._numbers)
        case = case_reference or f"SIM-CASE-{number:06d}"
        party = [supplier, "160", "SVK"]
        body = [Segment("BGM", document, f"SIM-{document}-{number:06d}", "9", "AB"),
                Segment("DTM", ["137", normaltime.stamp(datetime.now(UTC)), "203"]),
                Segment("DTM", ["ZZZ", "1", "805"]),
                Segment("NAD", "FR", party, *[""] * 6, "SE"),
                Segment("NAD", "DO", [self.grid_owner, "160", "SVK"], *[""] * 6, "SE"),
                Segment("LIN", "1", "", [point, "", "", "9"]),
                Segment("DTM", [qualifier, normaltime.stamp(normaltime.day_start(on)), "203"]),
                Segment("CCI", "", "Z13"), Segment("CAV", reason),
                Segment("RFF", ["Z05", area]), Segment("RFF", ["ANJ", f"SIM-AGR-{number}"]),
                Segment("RFF", ["LI", case]),
                Segment("NAD", "Z02", [SETTLEMENT, "160", "SVK"])]
        interchange = Interchange(
            sender=Party(supplier), recipient=Party(self.grid_owner),
            reference=self._reference(), prepared=datetime.now(UTC).replace(tzinfo=None),
            application_reference="23-DDQ-PRODAT", ack_requested=True,
            messages=[Message("1", ["PRODAT", "D", "97A", "UN", "E2SE6A"], body)])
        self._drop(syntax.write(interchange), interchange.reference)
        return case

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {"received": list(self.received), "answered": list(self.answered),
                    "mode": self.mode}


class _Handler:
    def __init__(self, sim: EdielSimulator) -> None:
        self.sim = sim

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        mail = email.message_from_bytes(envelope.content, policy=policy.default)
        try:
            for part in mail.iter_attachments():  # type: ignore[attr-defined]
                payload = part.get_payload(decode=True)
                if isinstance(payload, bytes):
                    self.sim.take(payload)
        except Exception as exc:  # a broken interchange: the gateway refuses the mail
            return f"554 interchange refused: {str(exc)[:200]}"
        return "250 OK"
