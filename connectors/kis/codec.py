"""Canonical messages <-> KIS documents, per message type.

    facility.lookup.requested  <-> LookupFacilityRequest
    facility.lookup.answered   <-> LookupFacilityResponse (never a personal/organisation number)
    customer.registered        <-> RegisterCustomerRequest
    tariff.change.requested    <-> ChangeTariffRequest
    customer.ended             <-> EndCustomerRequest
    supply.start/end.notified  ->  RegisterSupplyChangeRequest (Change START / SLUT)
    supply.registered          <-  RegisterSupplyChangeResponse (with the request's facts)
    billing.updated            <-> GetEventsResponse/Events/Event (message id "kis:<EventId>")
"""

from __future__ import annotations

import copy
import hashlib
from datetime import UTC, datetime
from typing import Any

from lxml import etree

from connectors.kis.wire import KisWire
from hub.toolkit import EventBatch, InvalidMessage, RemoteFault, SetAside, TargetRejected
from schemas.envelope import Envelope, derived_message_id
from schemas.message_types import MessageType
from schemas.payloads import parse_payload

M = MessageType
SOURCE = "kis"
EVENT_PREFIX = "kis:"
PERSONAL_KEYS = frozenset({"personal_number", "organisation_number"})
_REQUEST_KINDS = {M.FACILITY_LOOKUP_REQUESTED: "LookupFacilityRequest",
                  M.FACILITY_LOOKUP_ANSWERED: "LookupFacilityResponse",
                  M.CUSTOMER_REGISTERED: "RegisterCustomerRequest",
                  M.TARIFF_CHANGE_REQUESTED: "ChangeTariffRequest",
                  M.CUSTOMER_ENDED: "EndCustomerRequest",
                  M.SUPPLY_START_NOTIFIED: "RegisterSupplyChangeRequest",
                  M.SUPPLY_END_NOTIFIED: "RegisterSupplyChangeRequest",
                  M.BILLING_UPDATED: "GetEventsResponse"}
_READ_TYPES = {"LookupFacilityRequest": M.FACILITY_LOOKUP_REQUESTED,
               "LookupFacilityResponse": M.FACILITY_LOOKUP_ANSWERED,
               "RegisterCustomerRequest": M.CUSTOMER_REGISTERED,
               "ChangeTariffRequest": M.TARIFF_CHANGE_REQUESTED,
               "EndCustomerRequest": M.CUSTOMER_ENDED}


def kind_for(message: Envelope) -> str:
    """The KIS document a canonical message becomes; InvalidMessage for other types."""
    try:
        return _REQUEST_KINDS[MessageType(message.type)]
    except (ValueError, KeyError):
        raise InvalidMessage(f"kis has no document for {message.type!r} (it takes: "
                             f"{', '.join(sorted(_REQUEST_KINDS))})", where="type") from None


def to_wire(message: Envelope, wire: KisWire) -> etree._Element:
    """The KIS document for ``message``, validated against the contract."""
    kind = kind_for(message)
    payload = _checked(message).payload
    data: dict[str, Any] = {"case_ref": message.case_id, **payload}
    if kind in ("LookupFacilityRequest", "RegisterCustomerRequest", "ChangeTariffRequest",
                "EndCustomerRequest", "RegisterSupplyChangeRequest"):
        data["message_id"] = message.message_id
    if kind == "RegisterSupplyChangeRequest":
        data["change"] = "start" if message.type == M.SUPPLY_START_NOTIFIED else "end"
    if kind == "GetEventsResponse":
        event_id = message.message_id.removeprefix(EVENT_PREFIX)
        data = {"events": [{**data, "event_id": event_id,
                            "occurred_at": message.occurred_at.isoformat()}]}
    return wire.write(kind, data)


def to_canonical(root: etree._Element, wire: KisWire) -> list[Envelope]:
    """The canonical message(s) a KIS document carries; InvalidMessage if it carries none."""
    kind = wire.kind_of(root)
    if kind == "GetEventsResponse":
        return events_from_wire(root, wire, strict=True).messages
    if kind not in _READ_TYPES:
        raise InvalidMessage(f"a {kind} carries no canonical message (readable: "
                             f"{', '.join(sorted([*_READ_TYPES, 'GetEventsResponse']))})",
                             where=kind)
    data = wire.read(kind, root)
    case_ref = data.pop("case_ref")
    message_id = data.pop("message_id", None) or _content_id(kind, root)
    if kind == "LookupFacilityResponse":
        data = without_personal_numbers(data)
    return [build(_READ_TYPES[kind], case_ref, data, message_id=message_id)]


def answer_from_wire(request: Envelope, root: etree._Element, wire: KisWire) -> Envelope:
    """The facility.lookup.answered reply to ``request`` from KIS's LookupFacilityResponse."""
    data = without_personal_numbers(wire.read("LookupFacilityResponse", root))
    case_ref = data.pop("case_ref")
    if case_ref != request.case_id:
        raise InvalidMessage(f"KIS answered for case {case_ref!r}, asked for "
                             f"{request.case_id!r}", where="LookupFacilityResponse/CaseRef")
    data["overwrite"] = request.payload.get("overwrite", True)
    answer = request.derive(M.FACILITY_LOOKUP_ANSWERED, SOURCE, data)
    return _checked(answer)


def check_registration(root: etree._Element, wire: KisWire, *, where: str,
                       kind: str = "RegisterCustomerResponse", what: str = "registration"
                       ) -> dict[str, Any]:
    """RegisterCustomerResponse (ChangeTariffResponse): OK returns the answer, AVVISAD is a
    business rejection (permanent)."""
    data: dict[str, Any] = wire.read(kind, root)
    if data["result"] == "accepted":
        return data
    reason = data.get("reason") or "no reason given"
    raise TargetRejected(f"KIS refused the {what}: {reason}", where=where,
                         remote=RemoteFault(kind="soap", status="AVVISAD", message=reason,
                                            body_excerpt=_excerpt(root)))


def supply_registered(request: Envelope, root: etree._Element, wire: KisWire, *,
                      where: str) -> Envelope:
    """supply.registered from KIS's RegisterSupplyChangeResponse to ``request`` (a
    supply.start/end.notified); AVVISAD is a business rejection (permanent)."""
    data = wire.read("RegisterSupplyChangeResponse", root)
    if data["case_ref"] != request.case_id:
        raise InvalidMessage(f"KIS answered for case {data['case_ref']!r}, asked for "
                             f"{request.case_id!r}", where="RegisterSupplyChangeResponse/CaseRef")
    if data["result"] != "accepted":
        reason = data.get("reason") or "no reason given"
        raise TargetRejected(f"KIS refused the supply change: {reason}", where=where,
                             remote=RemoteFault(kind="soap", status="AVVISAD", message=reason,
                                                body_excerpt=_excerpt(root)))
    asked = request.payload
    payload = {"change": "start" if request.type == M.SUPPLY_START_NOTIFIED else "end",
               **{k: asked[k] for k in ("metering_point", "reason", "effective_on", "supplier",
                                        "grid_area", "case_reference") if asked.get(k)},
               "in_operation": bool(data.get("in_operation", True))}
    for key in ("previous_supplier", "meter_number"):
        if data.get(key):
            payload[key] = data[key]
    return _checked(request.derive(M.SUPPLY_REGISTERED, SOURCE, payload))


def events_from_wire(root: etree._Element, wire: KisWire, *, strict: bool) -> EventBatch:
    """billing.updated messages from a GetEventsResponse.

    Strict (translate): any bad event fails the document. Not strict (the poller): a bad
    event is set aside with the reason, so one poisoned event cannot stop billing for all.
    """
    kind = "GetEventsResponse"
    try:
        data = wire.read(kind, copy.deepcopy(root))
        return EventBatch(_event_messages(data.get("events", [])),
                          next_cursor=data.get("next_cursor"))
    except InvalidMessage:
        if strict:
            raise
    return _one_by_one(root, wire)


def _one_by_one(root: etree._Element, wire: KisWire) -> EventBatch:
    each = next(f for f in wire.document("GetEventsResponse").fields.fields if f.each)
    ns = wire.mapping.namespaces
    items = root.xpath(each.path, namespaces=ns)
    shell = copy.deepcopy(root)
    for node in shell.xpath(each.path, namespaces=ns):
        node.getparent().remove(node)
    batch = EventBatch(next_cursor=wire.read("GetEventsResponse", shell).get("next_cursor"))
    parent_path = each.path.rpartition("/")[0]
    assert each.each is not None
    id_path = next(f.path for f in each.each.fields if f.name == "event_id")
    for item in items:
        single = copy.deepcopy(shell)
        parents = single.xpath(parent_path, namespaces=ns) if parent_path else [single]
        parents[0].append(copy.deepcopy(item))
        event_id = str(item.xpath(f"string({id_path})", namespaces=ns) or "?")[:59]
        try:
            events = wire.read("GetEventsResponse", single)["events"]
            batch.messages.extend(_event_messages(events))
        except InvalidMessage as exc:
            batch.set_aside.append(SetAside(event_id, etree.tostring(item, encoding="utf-8"),
                                            exc))
    return batch


def _event_messages(events: list[dict[str, Any]]) -> list[Envelope]:
    out = []
    for event in events:
        event = dict(event)
        event_id, case_ref = event.pop("event_id"), event.pop("case_ref")
        occurred_at = datetime.fromisoformat(event.pop("occurred_at"))
        out.append(build(M.BILLING_UPDATED, case_ref, event,
                         message_id=EVENT_PREFIX + event_id, occurred_at=occurred_at))
    return out


def build(type_: MessageType, case_ref: str, payload: dict[str, Any], *, message_id: str,
          occurred_at: datetime | None = None) -> Envelope:
    """A canonical envelope from KIS with its payload validated and normalised."""
    try:
        envelope = Envelope(message_id=message_id, case_id=case_ref, type=type_, source=SOURCE,
                            occurred_at=occurred_at or datetime.now(UTC), payload=payload)
    except ValueError as exc:
        raise InvalidMessage(f"cannot build a {type_} envelope: {_first_error(exc)}",
                             where=f"kis {type_}") from None
    return _checked(envelope)


def _checked(message: Envelope) -> Envelope:
    model = parse_payload(message)
    return message.model_copy(update={"payload": model.model_dump(mode="json")})


def without_personal_numbers(value: Any) -> Any:
    """A copy with every personal/organisation number key removed, at any depth (seed 001)."""
    if isinstance(value, dict):
        return {k: without_personal_numbers(v) for k, v in value.items()
                if k not in PERSONAL_KEYS}
    if isinstance(value, list):
        return [without_personal_numbers(v) for v in value]
    return value


def _content_id(kind: str, root: etree._Element) -> str:
    digest = hashlib.sha256(etree.tostring(root, method="c14n")).hexdigest()
    return derived_message_id(SOURCE, kind, digest)


def _excerpt(root: etree._Element) -> str:
    return etree.tostring(root, encoding="unicode")[:2048]


def _first_error(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return str(exc)
