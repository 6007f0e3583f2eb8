"""The KIS simulator's data: customers and facilities, registrations and billing events.

Seeded deterministically: 25 Swedish facilities (GSRN 735999..., the same ids, meter numbers
and addresses as tests/factories.py builds for seeds 0-24), 5 Norwegian ones (seeds
100-104), and the reference's example point (ediel-sweden.md §5, anläggnings-id
735999123456789018) supplied by the Ediel-id 23456. Kept as JSON in ``state_dir/kis.json``
when a directory is given.
"""

from __future__ import annotations

import json
import os
import threading
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from schemas.identifier_samples import (
    make_fodselsnummer,
    make_gsrn,
    make_no_orgnummer,
    make_orgnummer,
    make_personnummer,
)

T0 = datetime(2024, 3, 14, 8, 30, tzinfo=UTC)  # the simulator's clock starts here, per event
BILLING_CHAIN = ("quote_sent", "quote_ordered", "invoiced", "paid")
WIRE_KIND = {"not_billable": "EJDEBITERBAR", "quote_sent": "OFFERTSKICKAD",
             "quote_ordered": "OFFERTBESTALLD", "invoiced": "FAKTURERAD", "paid": "BETALD"}
EXAMPLE_POINT, EXAMPLE_SUPPLIER = "735999123456789018", "23456"
_SE_STREETS = ("Storgatan", "Drottninggatan", "Rönnvägen", "Kullagatan", "Björkgatan")
_NO_STREETS = ("Dronningens gate", "Markens gate", "Tordenskjolds gate", "Elvegata")
_PRIVATE = ("Anna Lindqvist", "Lars Persson", "Karin Nilsson", "Johan Berg", "Eva Sandberg")
_COMPANY = ("Lindqvist Fastigheter AB", "Kullabygdens Bostäder AB", "Öresund Logistik AB")
_NO_PRIVATE = ("Ingrid Berg", "Ola Hansen", "Kari Nordmann")


def seed_data() -> dict[str, Any]:
    facilities: dict[str, dict[str, Any]] = {}
    customers: dict[str, dict[str, Any]] = {}
    for seed in range(25):
        _add(facilities, customers, seed, "SE")
    for seed in range(100, 105):
        _add(facilities, customers, seed, "NO")
    _add(facilities, customers, 25, "SE")
    example = facilities.pop(make_gsrn(25, "735999").reveal())
    facilities[EXAMPLE_POINT] = {**example, "facility_id": EXAMPLE_POINT}
    return {"facilities": facilities, "customers": customers, "registrations": {},
            "events": [], "billing": {},
            "supply": {EXAMPLE_POINT: {"supplier": EXAMPLE_SUPPLIER, "since": "2024-01-01"}},
            "supply_changes": {}}


def _add(facilities: dict[str, Any], customers: dict[str, Any], seed: int, country: str) -> None:
    if country == "SE":
        gsrn = make_gsrn(seed, "735999").reveal()
        address = {"street": f"{_SE_STREETS[seed % 5]} {seed % 40 + 1}",
                   "postcode": f"{25221 + seed % 50}", "town": "Helsingborg", "country": "SE"}
    else:
        gsrn = make_gsrn(seed, "707057500").reveal()
        address = {"street": f"{_NO_STREETS[seed % 4]} {seed % 30 + 1}",
                   "postcode": f"{4610 + seed % 20}", "town": "Kristiansand", "country": "NO"}
    number = f"{880000 + seed}"
    company = seed % 3 == 1
    customer: dict[str, Any] = {"kind": "F" if company else "P", "address": address,
                                "customer_number": number}
    if company:
        customer["name"] = (_COMPANY[seed // 3 % len(_COMPANY)] if country == "SE"
                            else "Berg Eiendom AS")
        customer["co"] = _PRIVATE[seed % len(_PRIVATE)]
        org = make_orgnummer(seed) if country == "SE" else make_no_orgnummer(seed)
        customer["organisation_number"] = org.reveal()
        customer["email"] = f"faktura{seed}@example.se"
    else:
        names = _PRIVATE if country == "SE" else _NO_PRIVATE
        customer["name"] = names[seed % len(names)]
        pnr = make_personnummer(seed) if country == "SE" else make_fodselsnummer(seed)
        customer["personal_number"] = pnr.reveal()
        customer["phone"] = f"070-{100 + seed:03d} 43 21"
    customers[number] = customer
    facilities[gsrn] = {"facility_id": gsrn, "meter_number": f"{7350000 + seed * 13}",
                        "technical_number": f"T-{40100 + seed}", "customer_number": number,
                        "substation": f"T{114 + seed % 7}", "address": address,
                        "main_fuse_a": (16, 20, 25, 35)[seed % 4]}


class KisState:
    """Thread-safe state with the simulator's business rules; saved after every change."""

    def __init__(self, path: Path | None, *, fresh: bool = False) -> None:
        self.path = path
        self._lock = threading.Lock()
        if path is not None and path.exists() and not fresh:
            self.data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        else:
            self.data = seed_data()

    # -- seeding over HTTP (POST /_control/customers) ---------------------------------------

    def seed(self, entries: Any) -> dict[str, int]:
        """Add (or replace) customers with their facilities, in the canonical shapes::

            [{"customer_number": "990001", "customer": <Party>, "facilities": [<Facility>]}]

        All or nothing: ValueError naming the entry and field when one is wrong."""
        if not isinstance(entries, list) or not entries:
            raise ValueError("customers: a non-empty list of {customer_number, customer, "
                             "facilities}")
        parsed = [_seed_entry(entry, f"customers[{i}]") for i, entry in enumerate(entries)]
        with self._lock:
            for number, customer, facilities in parsed:
                self.data["customers"][number] = customer
                for facility in facilities:
                    self.data["facilities"][facility["facility_id"]] = facility
            self._save()
        return {"customers": len(parsed), "facilities": sum(len(f) for _, _, f in parsed)}

    # -- LookupFacility --------------------------------------------------------------------

    def lookup(self, meter_number: str | None, facility_id: str | None
               ) -> tuple[int, str, dict[str, Any] | None, dict[str, Any] | None]:
        """(status code, text, facility, customer with its personal data)."""
        facilities = self.data["facilities"]
        facility = None
        if facility_id:
            facility = facilities.get(facility_id)
            if facility is None:
                return 202, "Anläggnings-ID finns inte i kundregistret", None, None
            if meter_number and facility["meter_number"] != meter_number:
                return 203, "Mätarnummer och anläggnings-ID hör inte ihop", None, None
        else:
            facility = next((f for f in facilities.values()
                             if f["meter_number"] == meter_number), None)
            if facility is None:
                return 201, "Mätarnumret finns inte i kundregistret", None, None
        customer = self.data["customers"].get(facility["customer_number"])
        return 100, "Träff i anläggningsregistret", facility, customer

    # -- RegisterCustomer ------------------------------------------------------------------

    def register(self, message_id: str, case_ref: str, customer_number: str,
                 facility_id: str | None, *, new_customer: dict[str, Any] | None = None,
                 new_facility: dict[str, Any] | None = None) -> tuple[bool, str | None]:
        """(accepted, reason). The same MessageId gets the same answer again. An unknown
        customer (facility) is created from ``new_customer`` (``new_facility``) when given."""
        with self._lock:
            done = self.data["registrations"].get(message_id)
            if done is not None:
                return done["accepted"], done.get("reason")
            customers, facilities = self.data["customers"], self.data["facilities"]
            if new_customer is not None and customer_number not in customers:
                customers[customer_number] = {**new_customer, "customer_number": customer_number}
            if new_facility is not None and facility_id and facility_id not in facilities \
                    and customer_number in customers:
                facilities[facility_id] = {**new_facility, "facility_id": facility_id,
                                           "customer_number": customer_number}
            accepted, reason = self._check_registration(customer_number, facility_id)
            if accepted and facility_id:  # registered: the facility is in operation
                self.data["facilities"][facility_id]["in_operation"] = True
            self.data["registrations"][message_id] = {
                "case_ref": case_ref, "customer_number": customer_number,
                "facility_id": facility_id, "accepted": accepted, "reason": reason}
            self._save()
        return accepted, reason

    def _check_registration(self, customer_number: str, facility_id: str | None
                            ) -> tuple[bool, str | None]:
        if customer_number not in self.data["customers"]:
            return False, f"Kundnummer {customer_number} finns inte"
        facility = self.data["facilities"].get(facility_id) if facility_id else None
        if facility_id and facility is None:
            return False, "Anläggnings-ID finns inte i kundregistret"
        if facility is not None and facility["customer_number"] != customer_number:
            return False, "Anläggningen tillhör en annan kund"
        return True, None

    # -- ChangeTariff ----------------------------------------------------------------------

    def change_tariff(self, message_id: str, facility_id: str, main_fuse_a: int
                      ) -> tuple[bool, str | None, str | None]:
        """(accepted, reason, tariff): the facility's fuse and the tariff that follows it."""
        with self._lock:
            facility = self.data["facilities"].get(facility_id)
            if facility is None:
                return False, "Anläggnings-ID finns inte i kundregistret", None
            tariff = f"SÄKRING-{main_fuse_a}A"
            facility.update(main_fuse_a=main_fuse_a, tariff=tariff)
            self.data.setdefault("tariff_changes", {})[message_id] = {
                "facility_id": facility_id, "main_fuse_a": main_fuse_a, "tariff": tariff}
            self._save()
        return True, None, tariff

    # -- EndCustomer -------------------------------------------------------------------------

    def end_customer(self, customer_number: str, facility_id: str, ended_on: str | None
                     ) -> tuple[bool, str | None]:
        """(accepted, reason): the facility's customer relationship ends (ended twice: same)."""
        with self._lock:
            facility = self.data["facilities"].get(facility_id)
            if facility is None or facility.get("customer_number") != customer_number:
                return False, "Anläggningen tillhör inte kunden"
            facility["ended_on"] = facility.get("ended_on") or ended_on or "today"
            self._save()
        return True, None

    # -- RegisterSupplyChange --------------------------------------------------------------

    def register_supply(self, message_id: str, change: dict[str, str]) -> dict[str, Any]:
        """Record a supplier's start (START) or end (SLUT) of supply at a facility; the
        answer: Result, Reason, PreviousSupplier, InOperation, MeterNumber. The same
        MessageId gets the same answer again."""
        with self._lock:
            changes = self.data.setdefault("supply_changes", {})
            if message_id in changes:
                return dict(changes[message_id]["answer"])
            facility = self.data["facilities"].get(change["facility_id"])
            supply = self.data.setdefault("supply", {})
            current = supply.get(change["facility_id"], {}).get("supplier")
            if facility is None:
                answer: dict[str, Any] = {
                    "result": "AVVISAD", "reason": "Anläggnings-ID finns inte i kundregistret"}
            else:
                answer = {"result": "OK",
                          "in_operation": bool(facility.get("in_operation", True)),
                          "meter_number": facility.get("meter_number")}
                self._apply_supply(change, answer, current)
            changes[message_id] = {**change, "answer": answer}
            self._save()
        return dict(answer)

    def _apply_supply(self, change: dict[str, str], answer: dict[str, Any],
                      current: str | None) -> None:
        supply, point = self.data.setdefault("supply", {}), change["facility_id"]
        entry = supply.get(point, {})
        if change["reason"] == "ATERKALLELSE":  # a withdrawn start: the one before returns
            if current == change["supplier"]:
                previous = entry.get("previous")
                if previous:
                    supply[point] = previous
                else:
                    supply.pop(point, None)
        elif change["change"] == "START":
            if current and current != change["supplier"]:
                answer["previous_supplier"] = current
            supply[point] = {"supplier": change["supplier"], "since": change["effective_on"],
                             "previous": {k: v for k, v in entry.items() if k != "previous"}
                             or None}
        elif current == change["supplier"]:
            supply.pop(point, None)

    def supplier_of(self, facility_id: str) -> str | None:
        entry = self.data.get("supply", {}).get(facility_id)
        return str(entry["supplier"]) if entry else None

    # -- billing events --------------------------------------------------------------------

    def add_billing_event(self, case_ref: str, state: str | None = None) -> dict[str, Any]:
        """The next billing step of ``case_ref`` (or ``state``) as a new event."""
        with self._lock:
            current = self.data["billing"].get(case_ref)
            if state is None:
                at = BILLING_CHAIN.index(current) + 1 if current in BILLING_CHAIN else 0
                state = BILLING_CHAIN[min(at, len(BILLING_CHAIN) - 1)]
            if state not in WIRE_KIND:
                raise ValueError(f"unknown billing state {state!r} (one of "
                                 f"{', '.join(WIRE_KIND)})")
            seq = len(self.data["events"]) + 1
            event = _event(seq, case_ref, state)
            self.data["events"].append(event)
            self.data["billing"][case_ref] = state
            self._save()
        return event

    def events_after(self, cursor: str | None, limit: int) -> tuple[list[dict[str, Any]], str]:
        """Events after ``cursor`` (a sequence number as text), oldest first, and the new one."""
        start = int(cursor) if cursor else 0
        if start < 0 or start > len(self.data["events"]):
            raise ValueError(f"unknown cursor {cursor!r}")
        chunk = self.data["events"][start:start + limit]
        return chunk, str(start + len(chunk))

    def _save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, self.path)


def _seed_entry(entry: Any, where: str) -> tuple[str, dict[str, Any], list[dict[str, Any]]]:
    from pydantic import ValidationError

    from schemas.case import Facility, Party

    if not isinstance(entry, dict):
        raise ValueError(f"{where}: an object {{customer_number, customer, facilities}}")
    number = entry.get("customer_number")
    if not isinstance(number, str) or not number.strip():
        raise ValueError(f"{where}.customer_number: required, a text")
    try:
        party = Party.model_validate(entry.get("customer")).model_dump(mode="json")
        facilities = [Facility.model_validate(f).model_dump(mode="json")
                      for f in entry.get("facilities") or []]
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        field = ".".join(str(p) for p in first["loc"])
        raise ValueError(f"{where}: {field}: {first['msg']}") from None
    if not facilities:
        raise ValueError(f"{where}.facilities: at least one facility")
    for i, facility in enumerate(facilities):
        for key in ("facility_id", "meter_number", "address", "main_fuse_a"):
            if facility.get(key) is None:
                raise ValueError(f"{where}.facilities[{i}].{key}: required here")
        facility["customer_number"] = number
    party["kind"] = "F" if party["kind"] == "company" else "P"  # the wire's code
    party["customer_number"] = number
    return number, {k: v for k, v in party.items() if v is not None}, facilities


def _event(seq: int, case_ref: str, state: str) -> dict[str, Any]:
    base = zlib.crc32(case_ref.encode())
    event: dict[str, Any] = {"event_id": f"EV{seq:08d}", "case_ref": case_ref,
                             "occurred_at": (T0 + timedelta(minutes=seq)).isoformat(),
                             "kind": WIRE_KIND[state]}
    if state != "not_billable":
        event["quote_number"] = f"OF-2024-{base % 1000:03d}"
        event["amount"] = f"{1500 + (base % 20) * 250}.00"
        event["currency"] = "NOK" if case_ref.startswith("NO") else "SEK"
    if state in ("invoiced", "paid"):
        event["invoice_number"] = f"F-{base % 100000:05d}"
    return event
