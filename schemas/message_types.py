"""The catalogue of canonical message types: `<subject>.<event>` names.

A type not listed here is an unknown message type (a permanent error). routes.yaml may only
name these. Adding a type is adding a line here and, when it carries a payload model, one
line in `schemas.payloads.PAYLOAD_MODELS`.
"""

from __future__ import annotations

from enum import StrEnum


class MessageType(StrEnum):
    # The installer's case (elsmart)
    CASE_SUBMITTED = "case.submitted"  # föranmälan sent: Ej skickat -> För godkännande
    CASE_RESUBMITTED = "case.resubmitted"  # after Avvisad föranmälan
    CASE_APPROVED = "case.approved"  # Installationsmedgivande (with grid data)
    CASE_REJECTED = "case.rejected"  # Avvisad föranmälan (reason note)
    CASE_COMPLETION_SUBMITTED = "case.completion.submitted"  # Färdiganmälan
    CASE_COMPLETION_APPROVED = "case.completion.approved"  # Arkiverad av Nätthandläggare
    CASE_COMPLETION_REJECTED = "case.completion.rejected"  # Avvisad färdiganmälan
    CASE_ARCHIVED = "case.archived"  # Arkiverad
    CASE_CANCELLED = "case.cancelled"  # Avbruten
    CASE_DELETION_REQUESTED = "case.deletion.requested"  # "installatör önskar borttag"
    CASE_NOTE_ADDED = "case.note.added"
    CASE_ATTACHMENT_ADDED = "case.attachment.added"
    CASE_SIDETRACK_UPDATED = "case.sidetrack.updated"  # preparation, work order, billing, ...
    CASE_ENRICHED = "case.enriched"  # kis and nis answers aggregated for one case
    # Facility lookup, "Hämta anl-data" (kis)
    FACILITY_LOOKUP_REQUESTED = "facility.lookup.requested"
    FACILITY_LOOKUP_ANSWERED = "facility.lookup.answered"
    # Network information (nis)
    GRID_DATA_REQUESTED = "griddata.requested"
    GRID_DATA_ANSWERED = "griddata.answered"
    INSTALLATION_REGISTERED = "installation.registered"
    # Customer and billing (kis)
    CUSTOMER_REGISTERED = "customer.registered"  # "Registrerad i KIS"
    TARIFF_CHANGE_REQUESTED = "tariff.change.requested"  # the tariff follows the main fuse
    CUSTOMER_ENDED = "customer.ended"  # the facility is taken down: its customer ended in KIS
    BILLING_UPDATED = "billing.updated"
    # Metering coordinator work orders (metering)
    WORKORDER_REQUESTED = "workorder.requested"
    WORKORDER_RELEASE_REQUESTED = "workorder.release.requested"  # start a held work order
    WORKORDER_CANCEL_REQUESTED = "workorder.cancel.requested"  # the case was cancelled
    WORKORDER_CREATED = "workorder.created"
    WORKORDER_EQUIPMENT_PLANNED = "workorder.equipment.planned"
    WORKORDER_WAREHOUSE_TASK_CREATED = "workorder.warehousetask.created"
    WORKORDER_ASSIGNED = "workorder.assigned"
    WORKORDER_REPORTED = "workorder.reported"
    WORKORDER_CANCELLED = "workorder.cancelled"
    WORKORDER_DEVIATION = "workorder.deviation"
    # Market datahub (elhub)
    METERINGPOINT_UPDATED = "meteringpoint.updated"
    METERINGPOINT_ACKNOWLEDGED = "meteringpoint.acknowledged"
    METERINGVALUES_COLLECTED = "meteringvalues.collected"
    # Every Elhub document kind, kept whole (connectors/elhub/structure.py): KindsDocument
    SUPPLY_START_REQUESTED = "supply.start.requested"  # RequestStartOfSupply
    SUPPLY_START_ACCEPTED = "supply.start.accepted"  # ConfirmStartOfSupply
    SUPPLY_START_REFUSED = "supply.start.refused"  # RejectStartOfSupply
    SUPPLY_START_REGISTERED = "supply.start.registered"  # NotifyStartOfSupply
    SUPPLY_END_REQUESTED = "supply.end.requested"  # RequestEndOfSupply
    SUPPLY_END_ACCEPTED = "supply.end.accepted"  # ConfirmEndOfSupply
    SUPPLY_END_REFUSED = "supply.end.refused"  # RejectEndOfSupply
    SUPPLY_END_REGISTERED = "supply.end.registered"  # NotifyEndOfSupply
    METERINGPOINT_UPDATE_REQUESTED = "meteringpoint.update.requested"  # RequestUpdateMasterData..
    METERINGPOINT_CHARACTERISTICS_NOTIFIED = "meteringpoint.characteristics.notified"
    CUSTOMER_UPDATE_REQUESTED = "customer.update.requested"  # RequestUpdateCustomerInformation
    CUSTOMER_INFORMATION_NOTIFIED = "customer.information.notified"  # NotifyCustomerInformation
    METERINGVALUES_REPORTED = "meteringvalues.reported"  # CollectedData, every variant
    METERINGVALUES_RESEND_REQUESTED = "meteringvalues.resend.requested"  # RequestCollectedData
    METERINGVALUES_VALIDATED_NOTIFIED = "meteringvalues.validated.notified"  # NotifyValidated..
    RECONCILIATION_NOTIFIED = "reconciliation.notified"  # PriceVolumeCombinationForReconciliation
    METERINGPOINT_UPFRONT_REQUESTED = "meteringpoint.upfront.requested"
    METERINGPOINT_UPFRONT_ANSWERED = "meteringpoint.upfront.answered"
    DATAHUB_QUERY_REQUESTED = "datahub.query.requested"  # RequestDataFromElhub
    GRIDACCESS_REQUESTED = "gridaccess.requested"  # RequestToGridAccessProvider
    GRIDACCESS_ANSWERED = "gridaccess.answered"  # ResponseFromGridAccessProvider
    DATAHUB_REQUESTED = "datahub.requested"  # RequestToElhub
    DATAHUB_ANSWERED = "datahub.answered"  # ResponseFromElhub
    THIRDPARTY_ACCESS_UPDATED = "thirdparty.access.updated"  # UpdateThirdPartyAccess
    DATAHUB_ACKNOWLEDGED = "datahub.acknowledged"  # Acknowledgement, kept whole
    DATAHUB_POLLED = "datahub.polled"  # PollForData
    # Swedish market over Ediel (ediel): PRODAT in and out, monthly readings, acknowledgements
    SUPPLY_START_NOTIFIED = "supply.start.notified"  # PRODAT Z03 from the new supplier
    SUPPLY_END_NOTIFIED = "supply.end.notified"  # PRODAT Z08 from the supplier
    SUPPLY_START_CONFIRMED = "supply.start.confirmed"  # PRODAT Z04 to the new supplier
    SUPPLY_END_CONFIRMED = "supply.end.confirmed"  # PRODAT Z05 to the old supplier
    SUPPLY_REGISTERED = "supply.registered"  # KIS registered a start/end of supply
    METERINGVALUES_MONTHLY = "meteringvalues.monthly"  # a month's readings (UTILTS E66 S)
    MARKET_ACKNOWLEDGED = "market.acknowledged"  # CONTRL/APERAK to what we sent, or none
    MARKET_INTERCHANGE_REJECTED = "market.interchange.rejected"  # unreadable, kept whole
    # Installer notification (notify)
    INSTALLER_NOTIFIED = "installer.notified"


def is_known(name: str) -> bool:
    return name in _KNOWN


_KNOWN = frozenset(m.value for m in MessageType)
