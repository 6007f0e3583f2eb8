"""What the datahub's SOAP interface admits: operations per service (structure reference
section 21.2) and the sender roles each business process takes (sections 2.2, 5.4, 23.2-23.3).

The simulator enforces both, as Elhub's interface does: a SOAPAction that is not the
operation of the body's wrapper, an operation the service does not have, or a role the process
does not take from its sender is a SOAP Client fault.
"""

from __future__ import annotations

from collections.abc import Iterable

# Operation names; the SOAPAction equals the name, the request wrapper is ``<name>Request``.
OPERATIONS: dict[str, frozenset[str]] = {
    "MarketProcesses": frozenset({
        "RequestStartOfSupply", "RequestEndOfSupply", "RequestUpdateMasterDataMeteringPoint",
        "RequestUpdateCustomerInformation", "UpdateThirdPartyAccess", "RejectStartOfSupply"}),
    "MeteringValues": frozenset({"CollectedData", "Acknowledge"}),
    "PollMarketProcesses": frozenset({"PollForData", "AcknowledgePoll"}),
    "PollMeteringValues": frozenset({"PollForData", "AcknowledgePoll"}),
    "Query": frozenset({
        "RequestUpfrontMeteringPointCharacteristics", "RequestDataFromElhub",
        "RequestToGridAccessProvider", "ResponseFromGridAccessProvider", "RequestToElhub"}),
}


def _each(processes: Iterable[str], roles: set[str]) -> dict[str, frozenset[str]]:
    return {f"BRS-NO-{p}": frozenset(roles) for p in processes}


# The sender's role (ProcessEnergyContext/EnergyBusinessProcessRole) each process takes.
SENDER_ROLES: dict[str, frozenset[str]] = {
    # master data and move in/out by the grid owner (grid access provider, DDM)
    **_each(("121", "122", "123", "131", "132", "133", "211", "212", "213", "214", "221",
             "222", "223", "224", "302", "402", "601"), {"DDM"}),
    # metering values: the metered data collector (DDE) sends series (section 5.4)
    **_each(("312", "313", "332"), {"DDE"}),
    # a forwarded supplier reading is rejected by the metered data responsible (section 5.4)
    **_each(("311",), {"MDR"}),
    # supplier processes, for completeness of the simulated interface
    **_each(("101", "102", "103", "104", "111", "201", "202", "301"), {"DDQ", "SLR"}),
    **_each(("303", "315", "324", "602"), {"DDM", "DDQ"}),
    **_each(("611", "622"), {"AG", "DDQ", "QRY"}),
    # each party polls its own queues in its own role
    "POLL": frozenset({"DDM", "DDQ", "DDE", "MDR", "DDK", "SLR", "AG"}),
}


def operation_error(service: str, wrapper: str, soap_action: str | None) -> str | None:
    """Why the call may not go on, or None: the wrapper names an operation of ``service``
    and the SOAPAction header (quotes allowed) names the same operation."""
    operation = wrapper.removesuffix("Request")
    if operation == wrapper or operation not in OPERATIONS.get(service, frozenset()):
        return f"{wrapper} is not an operation of {service}"
    action = (soap_action or "").strip().strip('"')
    if action != operation:
        return f"SOAPAction {action!r} does not match the operation {operation}"
    return None


def role_error(process: str | None, role: str | None) -> str | None:
    """Why ``role`` may not send in ``process``, or None."""
    if not process or not role:
        return "ProcessEnergyContext needs EnergyBusinessProcess and EnergyBusinessProcessRole"
    allowed = SENDER_ROLES.get(process)
    if allowed is None:
        return f"process {process} is not one the datahub takes"
    if role not in allowed:
        return f"role {role} may not send in process {process} (allowed: " \
               f"{', '.join(sorted(allowed))})"
    return None
