"""The simulated coordinator's business: work orders, their lifecycle steps, and the events
and metering values it publishes. Plain data (JSON-ready dicts), no I/O, deterministic ids.

A work order moves, one step per tick (seed 003, "Trinn 1"), once released (an order created
with ``hold`` waits for its release): created -> equipment planned ->
warehouse task created -> assigned to a P0 supplier -> reported (meter number, reading and
time) | done with deviation | cancelled. Jobs that mount no new equipment skip the first two.

Every time the coordinator stamps (an order's creation, an event's ``occurredAt``, the meter's
mounting time in a report) comes from a ``clock`` (``() -> aware datetime``); None is the real
one. ``gridhub demo`` passes its simulated business clock, so a meter is mounted on a
simulated day.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

_NS = uuid.UUID("3d1e0a6c-5b7e-4f1a-8c92-6a4f0e2b7d15")
OSLO = ZoneInfo("Europe/Oslo")
OUTCOMES = {"reported": "REPORTED", "deviation": "DONE_WITH_DEVIATION", "cancelled": "CANCELLED"}
_NEW_EQUIPMENT = {
    "MALER_NYTT_ANLEGG": ["Kamstrup Omnipower 3-fase direktemålt"],
    "OMBYGGING_1_3_FASE": ["Kamstrup Omnipower 3-fase direktemålt"],
    "MALERBYTTE": ["Kamstrup Omnipower 1-fase"],
    "FLEKSIBELT_FORBRUK": ["Kamstrup Omnipower 3-fase direktemålt", "Laststyringsrelé 2-kanal"],
}
_OLD_METER_REPLACED = {"OMBYGGING_1_3_FASE", "MALERBYTTE"}
P0_SUPPLIER = {"name": "Elisør Elektro AS", "gln": "7036877788508"}
_DOCUMENTS = (("sluttkontroll.pdf", "application/pdf"),
              ("foto-malerplass.jpg", "image/jpeg"),
              ("samsvarserklaering.pdf", "application/pdf"))


Clock = Callable[[], datetime]


def now(clock: Clock | None = None) -> str:
    at = clock() if clock is not None else datetime.now(UTC)
    return at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def steps_for(order_type: str, outcome: str) -> list[str]:
    """The events still to come for a new work order of ``order_type``."""
    planned = ["EQUIPMENT_PLANNED", "WAREHOUSE_TASK_CREATED"] if order_type in _NEW_EQUIPMENT \
        else []
    return [*planned, "ASSIGNED", OUTCOMES[outcome]]


def new_order(request: dict[str, Any], number: int, outcome: str, *,
              clock: Clock | None = None) -> dict[str, Any]:
    """The stored work order for a validated POST body."""
    stamp = now(clock)
    order = {
        "workOrderId": f"AO-{100000 + number}",
        "requestId": request["requestId"],
        "externalRef": request["externalRef"],
        "orderType": request["orderType"],
        "status": "CREATED",
        "createdAt": stamp,
        "updatedAt": stamp,
    }
    for key in ("meteringPoint", "address", "wantedDate"):
        if key in request:
            order[key] = request[key]
    order["_steps"] = steps_for(request["orderType"], outcome)
    order["_held"] = bool(request.get("hold", False))
    return order


def cancel(order: dict[str, Any]) -> bool:
    """Cancel ``order`` if it is still open (its next event is CANCELLED); False when it was
    finished already, which leaves it as it is."""
    if not order["_steps"] or order["_steps"] == ["CANCELLED"]:
        return False
    order["_steps"] = ["CANCELLED"]
    order["_held"] = False
    return True


def resource(order: dict[str, Any]) -> dict[str, Any]:
    """The work order as the REST API shows it (internal fields start with _)."""
    return {k: v for k, v in order.items() if not k.startswith("_")}


def advance(order: dict[str, Any], *, clock: Clock | None = None) -> dict[str, Any] | None:
    """Move ``order`` one step; the event for that step, or None when it is finished or
    held (created, waiting to be released)."""
    if not order["_steps"] or order.get("_held"):
        return None
    event_type = order["_steps"].pop(0)
    event = _event(order, event_type, clock)
    order["status"] = event_type
    order["updatedAt"] = event["occurredAt"]
    if event_type == "REPORTED":
        order.setdefault("meteringPoint", {})["meterNumber"] = event["report"]["meterNumber"]
    return event


def _event(order: dict[str, Any], event_type: str, clock: Clock | None) -> dict[str, Any]:
    ref = {k: order[k] for k in ("workOrderId", "externalRef", "orderType")}
    if order.get("meteringPoint"):
        ref["meteringPoint"] = dict(order["meteringPoint"])
    event: dict[str, Any] = {
        "eventId": str(uuid.uuid5(_NS, f"{order['workOrderId']}/{event_type}")),
        "eventType": event_type, "occurredAt": now(clock), "workOrder": ref}
    number = int(order["workOrderId"].split("-")[1])
    if event_type == "EQUIPMENT_PLANNED":
        event["equipment"] = list(_NEW_EQUIPMENT[order["orderType"]])
    elif event_type == "WAREHOUSE_TASK_CREATED":
        event["warehouseTaskId"] = f"LAGER-{number + 7000}"
    elif event_type == "ASSIGNED":
        event["assignee"] = dict(P0_SUPPLIER)
    elif event_type == "REPORTED":
        event["report"] = _report(order, number, event["occurredAt"])
    elif event_type == "DONE_WITH_DEVIATION":
        event["deviation"] = {"reason": "Ingen tilgang til målerplass, kunden ikke hjemme"}
    elif event_type == "CANCELLED":
        event["comment"] = "Kunden har avbestilt jobben"
    return event


def _report(order: dict[str, Any], number: int, at: str) -> dict[str, Any]:
    old_meter = (order.get("meteringPoint") or {}).get("meterNumber")
    new_meter = f"69{number:08d}" if order["orderType"] in _NEW_EQUIPMENT else None
    meter = new_meter or old_meter or f"69{number:08d}"
    reading = {"register": "1.8.0", "value": "0.000" if new_meter else f"{number % 9000}.250",
               "unit": "kWh", "readAt": at}
    report: dict[str, Any] = {"meterNumber": meter, "reading": reading}
    if new_meter and old_meter and order["orderType"] in _OLD_METER_REPLACED:
        report["oldMeterNumber"] = old_meter
        report["oldReading"] = {"register": "1.8.0", "value": f"{number % 9000 + 11}.500",
                                "unit": "kWh", "readAt": at}
    report["documentation"] = [_document(order, name, media) for name, media in _DOCUMENTS]
    return report


def _document(order: dict[str, Any], name: str, media: str) -> dict[str, Any]:
    content = f"{order['workOrderId']}/{name}".encode()
    return {"fileName": name, "mediaType": media, "size": 20_000 + len(content) * 97,
            "sha256": hashlib.sha256(content).hexdigest(), "origin": "INSTALLATOR"}


# -- 15-minute metering values --------------------------------------------------------------

def intervals(day: date, resolution: str = "PT15M") -> int:
    """Intervals in a Norwegian calendar day: 96 quarter-hours, 92 / 100 on DST days."""
    start = datetime.combine(day, time(), OSLO)
    end = datetime.combine(day + timedelta(days=1), time(), OSLO)
    seconds = (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds()
    return int(seconds // (900 if resolution == "PT15M" else 3600))


def values_event(gsrn: str, day: date, resolution: str = "PT15M", *,
                 clock: Clock | None = None) -> dict[str, Any]:
    """A day of collected values for one metering point: a plausible household profile."""
    count = intervals(day, resolution)
    per_hour = 4 if resolution == "PT15M" else 1
    values = []
    for pos in range(1, count + 1):
        seed = hashlib.sha256(f"{gsrn}/{day}/{pos}".encode()).digest()
        hour = (pos - 1) // per_hour
        base = 0.6 if 7 <= hour <= 9 or 17 <= hour <= 21 else 0.25
        qty = (base + seed[0] / 1000) / per_hour  # kWh per hour, spread over the interval
        status = "ESTIMATED" if seed[1] < 3 else "OK"
        values.append({"pos": pos, "qty": f"{qty:.3f}", "status": status})
    return {"eventId": str(uuid.uuid5(_NS, f"values/{gsrn}/{day}/{resolution}")),
            "eventType": "METERING_VALUES_COLLECTED", "occurredAt": now(clock),
            "meteringPoint": {"gsrn": gsrn}, "day": day.isoformat(),
            "resolution": resolution, "unit": "kWh", "values": values}
