"""Merging a facility lookup answer into a case: the overwrite rule of seeds 000 §8.2 and 001.

"Skriv över fält i anmälan?" Yes: the fetched values replace filled fields. No: they fill only
empty fields. Either way the facility id (EAN), the technical number and the meter number are
always overwritten, so the three identifiers always describe the facility KIS found (a value
KIS does not return clears the case's, rather than leave one from another facility).

Which facility of the case is meant: the one with the answer's facility id, else the one with
its meter number, else the only facility, else the first one without either identifier; a
block case with none of these gets the facility appended rather than overwrite another one.

The customer goes to the property owner (Fastighetsägare; the installer copies it to the payer
with "Kopiera från ägare"). A personal or organisation number is never taken from the answer
(seed 001), and an existing one is dropped when the merge makes the owner another party
(kind, name or country changed): the installer must then ask the customer for it.
"""

from __future__ import annotations

import copy
from typing import Any

HIT = 100
ALWAYS_REPLACED = ("facility_id", "technical_number", "meter_number")
FACILITY_FIELDS = ("customer_number", "substation", "address", "main_fuse_a")
PARTY_FIELDS = ("kind", "name", "co", "address", "phone", "email")
PERSONAL_NUMBERS = ("personal_number", "organisation_number")


def merge_lookup(case: dict[str, Any], answer: dict[str, Any], overwrite: bool) -> dict[str, Any]:
    """A new case dict with the lookup ``answer`` merged in; the inputs are not changed.

    ``case`` is a canonical case (``Case.model_dump(mode="json")``), ``answer`` a
    facility.lookup.answered payload. A miss (status other than 100) changes nothing.
    """
    merged = copy.deepcopy(case)
    if answer.get("status_code") != HIT or not answer.get("facility"):
        return merged
    found = answer["facility"]
    customer = answer.get("customer") or {}
    facilities = merged.setdefault("facilities", [])
    index = _target_facility(facilities, found)
    if index is None:
        facilities.append({})
        index = len(facilities) - 1
    facility = facilities[index]
    for name in ALWAYS_REPLACED:
        _set_or_clear(facility, name, found.get(name))
    fetched = {name: found.get(name) for name in FACILITY_FIELDS}
    if _empty(fetched["customer_number"]):
        fetched["customer_number"] = customer.get("customer_number")
    _merge_fields(facility, fetched, overwrite)
    if customer:
        merged["property_owner"] = _merge_owner(merged.get("property_owner"), customer, overwrite)
    return merged


def _target_facility(facilities: list[dict[str, Any]], found: dict[str, Any]) -> int | None:
    for key in ("facility_id", "meter_number"):
        value = found.get(key)
        if _empty(value):
            continue
        for i, facility in enumerate(facilities):
            if facility.get(key) == value:
                return i
    if len(facilities) == 1:
        return 0
    for i, facility in enumerate(facilities):
        if all(_empty(facility.get(key)) for key in ("facility_id", "meter_number")):
            return i
    return None


def _merge_owner(owner: dict[str, Any] | None, customer: dict[str, Any],
                 overwrite: bool) -> dict[str, Any]:
    fetched = {name: customer.get(name) for name in PARTY_FIELDS}
    if owner is None:
        return {name: value for name, value in fetched.items() if not _empty(value)}
    before = _identity(owner)
    result = dict(owner)
    _merge_fields(result, fetched, overwrite)
    if _identity(result) != before:
        for name in PERSONAL_NUMBERS:
            if name in result:
                result[name] = None
    return result


def _identity(party: dict[str, Any]) -> tuple[Any, ...]:
    """What makes a party the same party: kind, name and the country of its address."""
    address = party.get("address") or {}
    return party.get("kind"), party.get("name"), address.get("country", "SE")


def _merge_fields(target: dict[str, Any], fetched: dict[str, Any], overwrite: bool) -> None:
    """Yes: a fetched value replaces; No: it fills an empty field. Nothing fetched keeps."""
    for name, value in fetched.items():
        if _empty(value):
            continue
        if overwrite or _empty(target.get(name)):
            target[name] = copy.deepcopy(value)


def _set_or_clear(target: dict[str, Any], name: str, value: Any) -> None:
    target[name] = None if _empty(value) else value


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == {} or value == []
