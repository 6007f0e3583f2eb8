"""CONTRL (syntax, whole interchange) and APERAK (application, per object): built for what we
receive, read for what we sent. Layouts per ediel-sweden.md §2.6-2.8."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from pydifact.segments import Segment

from connectors.ediel import codes, normaltime
from connectors.ediel.syntax import Interchange, Message, component
from hub.toolkit import InvalidMessage


@dataclass(frozen=True)
class Outcome:
    """One PRODAT object's answer: ``code`` None is positive (ERC 100)."""

    metering_point: str
    case_reference: str
    code: str | None = None
    field: str = ""


@dataclass(frozen=True)
class Ack:
    """What a CONTRL or APERAK to our interchange says."""

    kind: str  # contrl | aperak
    accepted: bool
    interchange_reference: str = ""  # CONTRL: UCI 0020
    document_id: str = ""  # APERAK: the acknowledged BGM 1004
    codes: tuple[str, ...] = ()
    texts: tuple[str, ...] = field(default_factory=tuple)


def contrl(received: Interchange, *, reference: str, now: datetime,
           error_code: str | None = None, error_segment: str = "") -> Interchange:
    """The CONTRL for ``received``: action 1, or 4 with the syntax error code."""
    uci: list[str | list[str]] = [received.reference, received.sender.element(),
                                  received.recipient.element(),
                                  codes.get("contrl", "accepted" if error_code is None
                                            else "rejected")]
    if error_code is not None:
        uci += [error_code, error_segment[:3]] if error_segment else [error_code]
    message = Message("1", ["CONTRL", *codes.get("versions", "CONTRL"),
                            codes.get("association", "CONTRL")], [Segment("UCI", *uci)])
    return Interchange(sender=received.recipient, recipient=received.sender,
                       reference=reference, prepared=normaltime.wall_clock(now),
                       application_reference=received.application_reference,
                       ack_requested=False, messages=[message])


def aperak_prodat(received: Interchange, message: Message, outcomes: list[Outcome], *,
                  reference: str, now: datetime, received_at: datetime) -> Interchange:
    """The APERAK to one PRODAT: ``BGM+++34`` with one ERC block per object (27 when no
    object could be read at all)."""
    function = codes.get("aperak", "prodat_processed" if outcomes else "prodat_rejected")
    agency, issuer = codes.get("prodat", "party_agency")
    country = codes.get("prodat", "country")
    body = [Segment("BGM", "", "", function),
            Segment("DTM", ["137", normaltime.stamp(now), "203"]),
            Segment("DTM", ["178", normaltime.stamp(received_at), "203"]),
            Segment("RFF", ["ACW", component(message.first("BGM"), 1)]),
            Segment("NAD", "FR", [received.recipient.id, agency, issuer], *[""] * 6, country),
            Segment("NAD", "DO", [received.sender.id, agency, issuer], *[""] * 6, country)]
    texts = codes.get("aperak", "errors")
    for outcome in outcomes or [Outcome("", "", "41", "209")]:
        if outcome.code is None:
            body += [Segment("ERC", [codes.get("aperak", "ok"), "", "260"]),
                     Segment("FTX", "AAO", "", "", "OK")]
        else:
            body += [Segment("ERC", [outcome.code, "", "260"]),
                     Segment("FTX", "AAO", "", [outcome.field or outcome.code, "", "260"],
                             str(texts.get(outcome.code, "Fel"))[:70])]
        if outcome.metering_point:
            body.append(Segment("RFF", ["Z07", outcome.metering_point]))
        if outcome.case_reference:
            body.append(Segment("RFF", ["LI", outcome.case_reference]))
    ident = ["APERAK", *codes.get("versions", "APERAK_PRODAT"),
             codes.get("association", "APERAK_PRODAT")]
    return Interchange(sender=received.recipient, recipient=received.sender,
                       reference=reference, prepared=normaltime.wall_clock(now),
                       application_reference=received.application_reference,
                       ack_requested=True, messages=[Message("1", ident, body)])



# ---------------------------------------------------------------- reading


def read(message: Message) -> Ack:
    """A CONTRL or APERAK message as an :class:`Ack`."""
    if message.type == "CONTRL":
        uci = message.first("UCI")
        if uci is None:
            raise InvalidMessage("a CONTRL needs UCI", where="CONTRL UCI")
        action = component(uci, 3)
        accepted = action == codes.get("contrl", "accepted")
        error = component(uci, 4)
        return Ack("contrl", accepted, interchange_reference=component(uci, 0),
                   codes=() if accepted else (error or action,))
    if message.type != "APERAK":
        raise InvalidMessage(f"{message.type} is not an acknowledgement", where="UNH S009")
    bgm = message.first("BGM")
    doc = message.first("DOC")
    refs = {component(s, 0): component(s, 0, 1) for s in message.all("RFF")}
    document_id = component(doc, 1) if doc is not None else refs.get("ACW", "")
    errors = [component(s, 0) for s in message.all("ERC")
              if component(s, 0) != codes.get("aperak", "ok")]
    texts = [component(s, 4) for s in message.all("FTX") if component(s, 4) != "OK"]
    negative = bool(errors) or component(bgm, 0) == codes.get("aperak", "utilts_negative") \
        or component(bgm, 2) == codes.get("aperak", "prodat_rejected")
    if negative and not errors:
        errors = [component(bgm, 0) or component(bgm, 2)]
    return Ack("aperak", not negative, document_id=document_id, codes=tuple(errors),
               texts=tuple(t for t in texts if t))
