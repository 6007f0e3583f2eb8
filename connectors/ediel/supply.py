"""Who supplies a metering point, and the start of supply that waits for a meter.

The grid owner's Z04 confirms a start of supply with the point's master data; a new connection
has none until its meter is mounted, so the supplier gets its positive APERAK at once and the
Z04 when the meter and data exist (ediel-sweden.md §1.3, "New connection"). KIS says whether a
point is in operation (``supply.registered``); a point that is not waits here until its new
metering point's master data (``meteringpoint.updated``, event ``new``) comes by, in either
order. What we confirm also says who supplies the point from when, so a day's values go to
the supplier of that day (the Z04's supplier from its start, the Z05's before it). A plus
customer's production point is one more such point: its master data says production, so its
Z04 goes to the supplier buying the production with reason D (Z70) and E18.
"""

from __future__ import annotations

from datetime import date, timedelta, timezone
from typing import Any

from connectors.ediel import documents
from connectors.ediel.state import EdielState
from schemas.codes import MeteringPointType
from schemas.envelope import Envelope
from schemas.message_types import MessageType as M
from schemas.payloads import MeteringPointUpdated, SupplyConfirmed, parse_payload
from schemas.payloads_supply import SupplyReason

NORMAL_TIME = timezone(timedelta(hours=1))
_CONFIRMED_KEYS = ("metering_point", "reason", "effective_on", "supplier", "grid_area",
                   "case_reference")


class SupplyRegister:
    def __init__(self, state: EdielState, default_grid_area: str) -> None:
        self.state = state
        self.default_grid_area = default_grid_area

    def sent(self, message: Envelope) -> None:
        """Learn from a Z04/Z05 about to be sent (before it is: a retry learns it again)."""
        confirmed = parse_payload(message)
        assert isinstance(confirmed, SupplyConfirmed)
        point, day = confirmed.metering_point.reveal(), confirmed.effective_on.isoformat()
        if message.type == M.SUPPLY_START_CONFIRMED and confirmed.reason == "cancellation":
            self.state.withdrawn(point, confirmed.supplier, day)
        elif message.type == M.SUPPLY_START_CONFIRMED:
            self.state.supplies(point, confirmed.supplier, day)
        elif confirmed.reason in ("switch", "move_in"):  # the old supplier's end
            self.state.supplied_before(point, confirmed.supplier, day)

    def supplier_on(self, point: str, day: str) -> str | None:
        return self.state.supplier_on(point, day)

    def registered(self, message: Envelope) -> list[Envelope]:
        """A start at a point KIS has not in operation: the Z04 now if we have seen its meter
        mounted, else kept until we do."""
        waiting = {"case_id": message.case_id, "message_id": message.message_id,
                   "payload": {k: message.payload[k] for k in _CONFIRMED_KEYS
                               if message.payload.get(k)}}
        meter = self.state.wait_for_meter(str(message.payload["metering_point"]), waiting)
        if meter is None:
            return []
        return [self._confirmation(waiting, message.message_id, meter, None)]

    def meter_mounted(self, message: Envelope) -> list[Envelope]:
        """A new metering point's master data: the point is in operation; the start of supply
        that waited for it is confirmed now, from the later of its day and the meter's."""
        update = parse_payload(message)
        assert isinstance(update, MeteringPointUpdated)
        waiting = self.state.meter_mounted(update.gsrn.reveal(), update.meter_number,
                                           str(update.metering_point_type))
        if waiting is None:
            return []
        mounted_on = update.effective_at.astimezone(NORMAL_TIME).date()
        return [self._confirmation(waiting, message.message_id, update.meter_number or "",
                                   mounted_on)]

    def _confirmation(self, waiting: dict[str, Any], cause: str, meter: str,
                      not_before: date | None) -> Envelope:
        payload = dict(waiting["payload"])
        payload.setdefault("grid_area", self.default_grid_area)
        if self.state.type_of(payload["metering_point"]) == MeteringPointType.production:
            # a production point's Z04 is D, obligation to receive (the supplier buying the
            # production notified it as LK; ediel-sweden.md §1.2-1.3), and says E18
            payload["reason"] = SupplyReason.production
            payload["metering_point_type"] = MeteringPointType.production
        if meter:
            payload["meter_number"] = meter
        if not_before is not None and date.fromisoformat(payload["effective_on"]) < not_before:
            payload["effective_on"] = not_before.isoformat()
        return Envelope(message_id=documents.derived_id(waiting["message_id"], "confirmed"),
                        case_id=waiting["case_id"], causation_id=cause,
                        type=M.SUPPLY_START_CONFIRMED, source=documents.SOURCE,
                        payload=payload)
