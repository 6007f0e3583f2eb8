"""UTILTS E66: a metering point's values (hourly or quarter-hour series, or a month's readings).

Layout per ediel-sweden.md §2.3 (UTILTS D.02B, association code from codes.yaml). Every time
is Swedish normal time (UTC+01:00, ``DTM+735:+0100``): a day is always 24 hours or 96
quarter-hours. A series value's time follows from the period start, the resolution and its
SEQ position; quality below approved is ``STS+8`` (estimated 56, missing 46 with NULL).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from pydifact.segments import Segment

from connectors.ediel import codes, normaltime
from connectors.ediel.syntax import Message, component
from hub.toolkit import InvalidMessage
from schemas.codes import ObservationQuality, Resolution
from schemas.payloads import MeteringValuesCollected, MonthlyReadings

TYPE = "UTILTS"
_PER_DAY = {Resolution.PT15M: 96, Resolution.PT1H: 24}
_ONE = {Resolution.PT15M: timedelta(minutes=15), Resolution.PT1H: timedelta(hours=1)}


def _identifier() -> list[str]:
    return [TYPE, *codes.get("versions", TYPE), codes.get("association", TYPE)]


def _header(doc_id: str, *, sender: str, recipient: str, role: str,
            created: datetime) -> list[Segment]:
    sector, phase = codes.get("utilts", "sector")
    return [Segment("BGM", ["E66", "", "260"], doc_id, "9", "AB"),
            Segment("DTM", ["137", normaltime.stamp(created), "203"]),
            Segment("DTM", ["735", codes.get("utilts", "utc_offset"), "406"]),
            Segment("MKS", sector, phase.split(":")),
            Segment("NAD", "MS", [sender, "SVK", "260"]),
            Segment("NAD", "MR", [recipient, "SVK", "260"]),
            Segment("NAD", role)]


def _transaction(doc_id: str, gsrn: str, grid_area: str, start: datetime, end: datetime,
                 resolution: list[str], registered: datetime, point_type: str
                 ) -> list[Segment]:
    kinds = codes.get("utilts", "metering_point_type")
    return [Segment("IDE", "24", f"{doc_id}-T1"),
            Segment("LOC", "172", [gsrn, "", "9"]),
            Segment("LOC", "239", [grid_area, "SVK", "260"]),
            Segment("LIN", "", "", [codes.get("utilts", "product"), "", "", "9"]),
            Segment("DTM", ["324", normaltime.stamp(start) + normaltime.stamp(end), "719"]),
            Segment("DTM", ["597", normaltime.stamp(registered), "203"]),
            Segment("DTM", ["354", *resolution]),
            Segment("STS", "7", "", [codes.get("utilts", "reason"), "", "260"]),
            Segment("MEA", "AAZ", "", codes.get("utilts", "unit")),
            Segment("CCI", "", "", ["E12", "", "260"]),
            Segment("CAV", [kinds[point_type], "", "260"])]


def series(values: MeteringValuesCollected, doc_id: str, *, sender: str, recipient: str,
           role: str, grid_area: str, created: datetime,
           point_type: str = "consumption") -> list[Segment]:
    """The body of an E66 with one day's series, in normal time; ``point_type`` production
    for what a plus customer fed in (E18)."""
    wanted = _PER_DAY[values.resolution]
    if len(values.observations) != wanted:
        raise InvalidMessage(
            f"a day in Swedish normal time (UTC+01:00, no daylight saving) has {wanted} "
            f"{values.resolution} values; got {len(values.observations)}",
            where="payload.observations")
    start = normaltime.day_start(values.day)
    resolution = codes.get("utilts", "resolution", str(values.resolution))
    quality = codes.get("utilts", "quality")
    segments = _header(doc_id, sender=sender, recipient=recipient, role=role, created=created)
    segments += _transaction(doc_id, values.gsrn.reveal(), grid_area, start,
                             start + timedelta(days=1), resolution, created, point_type)
    statuses = {name: Segment("STS", "8", code) for name, code in quality.items() if code}
    # segments are read-only once built: the SEQ of a position and a quality's STS are shared
    for obs in values.observations:
        segments.append(_seq(obs.position))
        segments.append(_quantity_segment("NULL" if obs.quality == "missing"
                                          else format(obs.quantity, "f")))
        status = statuses.get(str(obs.quality))
        if status is not None:
            segments.append(status)
    return segments


def _quantity_segment(value: str) -> Segment:
    """``QTY+136:<value>``. Built without Segment.__init__, whose checks of the constant tag
    cost a third of the conversion of a value (bench/ediel_values.py)."""
    segment = Segment.__new__(Segment)
    segment.tag, segment.elements = "QTY", [["136", value]]
    return segment


@lru_cache(maxsize=128)
def _seq(position: int) -> Segment:
    return Segment("SEQ", "", str(position))


def monthly(readings: MonthlyReadings, doc_id: str, *, sender: str, recipient: str,
            role: str, grid_area: str, created: datetime,
            point_type: str = "consumption") -> list[Segment]:
    """The body of an E66 S: start and end readings and the month's consumption."""
    start = normaltime.day_start(readings.month)
    end = normaltime.day_start(_next_month(readings.month))
    segments = _header(doc_id, sender=sender, recipient=recipient, role=role, created=created)
    segments += _transaction(doc_id, readings.gsrn.reveal(), grid_area, start, end,
                             codes.get("utilts", "resolution", "month"), created, point_type)
    code = codes.get("utilts", "quality").get(str(readings.quality))
    origin, value = codes.get("utilts", "reading_origin")
    for position, (reading, moment) in enumerate(
            [(readings.start_reading, start), (readings.end_reading, end)], start=1):
        segments += [Segment("SEQ", "", str(position)),
                     Segment("RFF", ["AES", codes.get("utilts", "register")]),
                     Segment("RFF", ["MG", readings.meter_number]),
                     Segment("QTY", ["220", format(reading, "f")]),
                     Segment("DTM", ["597", normaltime.stamp(moment), "203"])]
        if code:
            segments.append(Segment("STS", "8", code))
        segments += [Segment("CCI", "", "", origin.split(":")),
                     Segment("CAV", value.split(":"))]
    segments += [Segment("SEQ", "", "3"),
                 Segment("QTY", ["136", format(readings.consumption_kwh, "f")])]
    if code:
        segments.append(Segment("STS", "8", code))
    return segments


def _next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


# ---------------------------------------------------------------- reading


def read(message: Message, decimal: str) -> tuple[str, dict[str, Any]]:
    """An E66 -> (canonical type, payload) for meteringvalues.collected or .monthly."""
    if component(message.first("BGM"), 0) != "E66":
        raise InvalidMessage(f"UTILTS {component(message.first('BGM'), 0)!r} is not read; "
                             "only E66", where="BGM 1001")
    offset = next((component(s, 0, 1) for s in message.all("DTM")
                   if component(s, 0) == "735"), "")
    if offset != codes.get("utilts", "utc_offset"):
        raise InvalidMessage(f"UTC offset {offset!r}: Swedish metered values are in normal "
                             "time, +0100", where="DTM+735")
    dtm = {component(s, 0): s for s in message.all("DTM")}
    period = component(dtm.get("324"), 0, 1)
    if len(period) != 24:
        raise InvalidMessage("the delivery period is missing or not two stamps",
                             where="DTM+324")
    start = _stamp(period[:12], "DTM+324")
    gsrn = next((component(s, 1) for s in message.all("LOC") if component(s, 0) == "172"), "")
    resolution = [component(dtm.get("354"), 0, 1), component(dtm.get("354"), 0, 2)]
    table = codes.get("utilts", "resolution")
    if resolution == table["month"]:
        return "meteringvalues.monthly", _read_monthly(message, gsrn, start, decimal)
    found = next((r for r, code in table.items() if code == resolution and r != "month"), None)
    if found is None:
        raise InvalidMessage(f"resolution {':'.join(resolution)!r} is not known",
                             where="DTM+354")
    return "meteringvalues.collected", {
        "gsrn": gsrn, "day": start.date().isoformat(), "resolution": found,
        "observations": [{"position": int(p), "quantity": str(q), "quality": str(k)}
                         for p, q, k, _ in _observations(message, decimal)]}


def _read_monthly(message: Message, gsrn: str, start: datetime,
                  decimal: str) -> dict[str, Any]:
    observations = {p: (q, k, meter) for p, q, k, meter in _observations(message, decimal)}
    if set(observations) != {"1", "2", "3"}:
        raise InvalidMessage("a month's E66 has SEQ 1 (start), 2 (end) and 3 (consumption)",
                             where="SEQ")
    return {"gsrn": gsrn, "month": start.date().isoformat(),
            "meter_number": observations["1"][2], "start_reading": str(observations["1"][0]),
            "end_reading": str(observations["2"][0]),
            "consumption_kwh": str(observations["3"][0]), "quality": str(observations["3"][1])}


def _observations(message: Message, decimal: str
                  ) -> list[tuple[str, Decimal, ObservationQuality, str]]:
    """(SEQ position, quantity, quality, meter number) for each SEQ group, in order."""
    found: list[tuple[str, Decimal, ObservationQuality, str]] = []
    known = codes.get("utilts", "read_quality")
    position, quantity, quality, meter = "", Decimal(0), ObservationQuality.measured, ""
    for segment in message.segments:
        tag = segment.tag
        if tag == "SEQ":
            if position:
                found.append((position, quantity, quality, meter))
            position, quantity, quality = component(segment, 1), Decimal(0), \
                ObservationQuality.measured
        elif position and tag == "QTY":
            quantity = _quantity(component(segment, 0, 1), decimal, f"SEQ {position} QTY")
        elif position and tag == "STS" and component(segment, 0) == "8":
            code = component(segment, 1)
            if code not in known:
                raise InvalidMessage(f"quality code {code!r} is not known",
                                     where=f"SEQ {position} STS+8")
            quality = ObservationQuality(known[code])
        elif position and tag == "RFF" and component(segment, 0) == "MG":
            meter = component(segment, 0, 1)
    if position:
        found.append((position, quantity, quality, meter))
    return found


def _quantity(text: str, decimal: str, where: str) -> Decimal:
    if text in ("", "NULL"):
        return Decimal(0)
    try:
        return Decimal(text.replace(decimal, "."))
    except InvalidOperation:
        raise InvalidMessage(f"{text!r} is not a number", where=where) from None


def _stamp(value: str, where: str) -> datetime:
    try:
        return normaltime.parse(value, where)
    except ValueError as exc:
        raise InvalidMessage(str(exc), where=where) from None
