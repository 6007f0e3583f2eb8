"""PRODAT: a supplier's start (Z03) or end (Z08) of supply in; the grid owner's Z04/Z05 out.

Layout per ediel-sweden.md §2.4 (PRODAT D.97A, the 26-A characteristic map the review
confirmed). The sub-type (L, LK, C, H) is ``CCI++Z13`` + ``CAV+<reason>`` (field 223), mapped
in codes.yaml. Times are Swedish normal time (``DTM+ZZZ:1:805``). A customer's personal
number is read into a masked identifier; it is never logged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydifact.segments import Segment

from connectors.ediel import codes, normaltime
from connectors.ediel.syntax import Message, component
from hub.toolkit import InvalidMessage
from schemas.codes import MeteringPointType
from schemas.payloads import SupplyConfirmed

TYPE = "PRODAT"
START, END = "supply.start.notified", "supply.end.notified"


def _identifier() -> list[str]:
    return [TYPE, *codes.get("versions", TYPE), codes.get("association", TYPE)]


def _party(qualifier: str, ediel_id: str) -> Segment:
    agency, issuer = codes.get("prodat", "party_agency")
    return Segment("NAD", qualifier, [ediel_id, agency, issuer], "", "", "", "", "", "",
                   codes.get("prodat", "country"))


def confirmation(confirmed: SupplyConfirmed, doc_id: str, *, document: str, sender: str,
                 created: datetime) -> list[Segment]:
    """Z04 (start confirmed, to the new supplier) or Z05 (end, to the old) with master data."""
    reason = codes.get("prodat", "reasons", str(confirmed.reason))
    segments = [Segment("BGM", document, doc_id, "9", "AB"),
                Segment("DTM", ["137", normaltime.stamp(created), "203"]),
                Segment("DTM", ["ZZZ", "1", "805"]),
                _party("FR", sender), _party("DO", confirmed.supplier),
                Segment("LIN", "1", "", [confirmed.metering_point.reveal(), "", "", "9"]),
                Segment("DTM", ["92" if document == codes.get("prodat", "confirm_start")
                                else "93", normaltime.stamp(normaltime.day_start(
                                    confirmed.effective_on)), "203"]),
                Segment("DTM", ["354", str(confirmed.resolution_minutes), "806"])]
    if confirmed.estimated_annual_kwh is not None:
        segments.append(Segment("QTY", ["31", str(confirmed.estimated_annual_kwh), "KWH"]))
    segments += [Segment("CCI", "", "Z07"),
                 Segment("CAV", codes.get("prodat", "installation_status_active")),
                 Segment("CCI", "", "Z13"), Segment("CAV", reason)]
    segments += _point_type(confirmed.metering_point_type)
    if confirmed.meter_number:
        segments.append(Segment("RFF", ["MG", confirmed.meter_number]))
    segments += [Segment("RFF", ["Z05", confirmed.grid_area]),
                 Segment("RFF", ["LI", confirmed.case_reference])]
    return segments


def _point_type(kind: MeteringPointType | None) -> list[Segment]:
    """Field 513 (E18 for a production point), in the form codes.yaml gives: unverified for
    PRODAT, so a grid owner corrects the qualifier there; a type mapped to null is left out."""
    spec = codes.get("prodat", "metering_point_type")
    value = spec["values"].get(str(kind)) if kind is not None else None
    if not value:
        return []
    return [Segment("CCI", *_elements(spec["characteristic"])),
            Segment("CAV", *_elements([value]))]


def _elements(texts: list[str]) -> list[str | list[str]]:
    """``["", "E12::260"]`` -> the elements of a segment: a composite where there is a ``:``."""
    return [text.split(":") if ":" in text else text for text in texts]


# ---------------------------------------------------------------- reading


def read(message: Message) -> list[tuple[str, dict[str, Any]]]:
    """Each LIN object of a Z03/Z08 (or a Z04/Z05, for translation) as (type, payload)."""
    document = component(message.first("BGM"), 0)
    kinds = {**{d: START for d in codes.get("prodat", "start_documents")},
             **{d: END for d in codes.get("prodat", "end_documents")},
             codes.get("prodat", "confirm_start"): "supply.start.confirmed",
             codes.get("prodat", "confirm_end"): "supply.end.confirmed"}
    if document not in kinds:
        raise InvalidMessage(f"PRODAT {document!r} is not handled (handled: "
                             f"{', '.join(sorted(kinds))})", where="BGM 1001")
    parties = {component(s, 0): component(s, 1) for s in message.all("NAD")
               if component(s, 0) in ("FR", "DO")}
    header = {"document_id": component(message.first("BGM"), 1),
              "supplier": parties.get("FR", ""), "grid_owner": parties.get("DO", "")}
    if kinds[document].endswith("confirmed"):
        header["supplier"] = parties.get("DO", "")
    return [(kinds[document], _object(group, header, kinds[document], position))
            for position, group in enumerate(_objects(message), start=1)]


def _objects(message: Message) -> list[list[Segment]]:
    groups: list[list[Segment]] = []
    for segment in message.segments:
        if segment.tag == "LIN":
            groups.append([segment])
        elif groups:
            groups[-1].append(segment)
    if not groups:
        raise InvalidMessage("the PRODAT names no metering point (no LIN)", where="LIN")
    for position, group in enumerate(groups, start=1):
        if component(group[0], 0) != str(position):
            raise InvalidMessage(f"LIN sequence numbers run 1, 2, ... without gaps; object "
                                 f"{position} has {component(group[0], 0)!r}",
                                 where=f"LIN {position} (field 314)")
    return groups


def _object(group: list[Segment], header: dict[str, str], kind: str,
            position: int) -> dict[str, Any]:
    where = f"LIN {position}"
    dates = {component(s, 0): component(s, 0, 1) for s in group if s.tag == "DTM"}
    refs = {component(s, 0): component(s, 0, 1) for s in group if s.tag == "RFF"}
    effective = dates.get("92") or dates.get("93") or ""
    try:
        effective_on = normaltime.parse(effective, f"{where} DTM+92/93").date().isoformat()
    except ValueError as exc:
        raise InvalidMessage(str(exc), where=f"{where} DTM+92/93") from None
    payload: dict[str, Any] = {
        "metering_point": component(group[0], 2), "reason": _reason(group, kind, where),
        "effective_on": effective_on, "case_reference": refs.get("LI", ""),
        **({"grid_area": refs["Z05"]} if refs.get("Z05") else {})}
    if kind.endswith("confirmed"):
        payload["supplier"] = header["supplier"]
        payload.update(_confirmed_extras(group, dates, refs))
        return payload
    payload.update(header)
    if refs.get("ANJ"):
        payload["agreement_reference"] = refs["ANJ"]
    for segment in group:
        if segment.tag == "NAD" and component(segment, 0) == "Z02":
            payload["balance_responsible"] = component(segment, 1)
        elif segment.tag == "NAD" and component(segment, 0) == "UD":
            payload["customer"] = _customer(segment)
    return payload


def _confirmed_extras(group: list[Segment], dates: dict[str, str],
                      refs: dict[str, str]) -> dict[str, Any]:
    extras: dict[str, Any] = {}
    if refs.get("MG"):
        extras["meter_number"] = refs["MG"]
    spec = codes.get("prodat", "metering_point_type")
    characteristic = _elements(spec["characteristic"])
    types = {_key(_elements([v])): k for k, v in spec["values"].items() if v}
    for segment, following in zip(group, [*group[1:], None], strict=True):
        if segment.tag == "QTY" and component(segment, 0) == "31":
            extras["estimated_annual_kwh"] = int(component(segment, 0, 1))
        elif segment.tag == "DTM" and component(segment, 0) == "354":
            extras["resolution_minutes"] = int(component(segment, 0, 1))
        elif segment.tag == "CCI" and _key(segment.elements) == _key(characteristic) \
                and following is not None and _key(following.elements) in types:
            extras["metering_point_type"] = types[_key(following.elements)]
    return extras


def _key(elements: list[Any]) -> tuple[Any, ...]:
    """Segment elements comparable whatever the reader made of them (lists or tuples)."""
    return tuple(e if isinstance(e, str) else tuple(e) for e in elements)


def _reason(group: list[Segment], kind: str, where: str) -> str:
    codes_by_reason: dict[str, str] = codes.get("prodat", "reasons")
    reason_code = ""
    for segment, following in zip(group, [*group[1:], None], strict=True):
        if segment.tag == "CCI" and component(segment, 1) == "Z13" and following is not None:
            reason_code = component(following, 0)
    candidates = [r for r, c in codes_by_reason.items() if c == reason_code]
    if not candidates:
        raise InvalidMessage(f"transaction reason {reason_code!r} is missing or not known "
                             f"(known: {', '.join(sorted(set(codes_by_reason.values())))})",
                             where=f"{where} CCI++Z13 (field 223)")
    # LK on an end of supply is a move-out, on a start a move-in
    if len(candidates) > 1:
        return "move_out" if kind.startswith("supply.end") else "move_in"
    return candidates[0]


def _customer(segment: Segment) -> dict[str, Any]:
    number, kind = component(segment, 1), component(segment, 1, 1)
    customer: dict[str, Any] = {"name": component(segment, 3) or "(namn saknas)"}
    if kind == "SE2":
        customer["personal_number"] = number
    elif kind == "SE1":
        customer["organisation_number"] = number
    for key, index in (("street", 4), ("city", 5), ("postcode", 7)):
        if component(segment, index):
            customer[key] = component(segment, index)
    return customer
