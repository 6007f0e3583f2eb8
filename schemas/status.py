"""The case status machine (seed 000 §6), for both flows.

With pre-notification::

    draft -> submitted -> approved -> completion_submitted -> completion_approved -> archived
             submitted -> pre_rejected -> submitted (resubmit)
                                          completion_submitted -> completion_rejected
                                          completion_rejected -> completion_submitted

Completion only: ``draft -> completion_submitted`` and on from there as above.
In both flows every open status may go to ``cancelled`` (Avbruten: "avbrutits någon gång
under processen"). ``completion_approved`` (Arkiverad av Nätthandläggare) is not open: the
grid owner approved the completion and archived the case for the installer, and the meter
work it released is the grid owner's own (seed 000 §6, §12). ``archived`` and ``cancelled``
are final.
"""

from __future__ import annotations

from schemas.codes import CaseStatus, Flow
from schemas.errors import ImpossibleTransition

S = CaseStatus

_COMPLETION = frozenset(
    {
        (S.completion_submitted, S.completion_approved),
        (S.completion_submitted, S.completion_rejected),
        (S.completion_rejected, S.completion_submitted),
        (S.completion_approved, S.archived),
    }
)

_PRENOTIFICATION = frozenset(
    {
        (S.draft, S.submitted),
        (S.submitted, S.approved),
        (S.submitted, S.pre_rejected),
        (S.pre_rejected, S.submitted),
        (S.approved, S.completion_submitted),
    }
)

FINAL: frozenset[CaseStatus] = frozenset({S.archived, S.cancelled})

_STATUSES_IN_FLOW = {
    Flow.with_prenotification: frozenset(S) - FINAL,
    Flow.completion_only: frozenset(
        {S.draft, S.completion_submitted, S.completion_rejected, S.completion_approved}
    ),
}


def _cancellable(flow: Flow) -> frozenset[tuple[CaseStatus, CaseStatus]]:
    return frozenset((status, S.cancelled) for status in _STATUSES_IN_FLOW[flow]
                     if status != S.completion_approved)


_ALLOWED: dict[Flow, frozenset[tuple[CaseStatus, CaseStatus]]] = {
    Flow.with_prenotification: _PRENOTIFICATION | _COMPLETION | _cancellable(
        Flow.with_prenotification
    ),
    Flow.completion_only: frozenset({(S.draft, S.completion_submitted)})
    | _COMPLETION
    | _cancellable(Flow.completion_only),
}


def allowed(flow: Flow) -> frozenset[tuple[CaseStatus, CaseStatus]]:
    """Every allowed (from, to) pair of ``flow``."""
    return _ALLOWED[Flow(flow)]


def can(current: CaseStatus, target: CaseStatus, flow: Flow) -> bool:
    return (CaseStatus(current), CaseStatus(target)) in _ALLOWED[Flow(flow)]


def next_statuses(current: CaseStatus, flow: Flow) -> frozenset[CaseStatus]:
    """The statuses ``current`` may move to in ``flow``."""
    return frozenset(to for frm, to in _ALLOWED[Flow(flow)] if frm == current)


def transition(current: CaseStatus, target: CaseStatus, flow: Flow) -> CaseStatus:
    """``target`` if the machine allows ``current -> target`` in ``flow``; else raise
    :class:`~schemas.errors.ImpossibleTransition` naming both states."""
    current, target, flow = CaseStatus(current), CaseStatus(target), Flow(flow)
    if (current, target) in _ALLOWED[flow]:
        return target
    options = _names(next_statuses(current, flow))
    reason = "it is final" if current in FINAL else f"allowed: {options}"
    raise ImpossibleTransition(
        f"cannot go from {_name(current)} to {_name(target)} in flow {flow} ({reason})",
        where="status",
    )


def _name(status: CaseStatus) -> str:
    return f"{status} ({status.label('sv')})"


def _names(statuses: frozenset[CaseStatus]) -> str:
    return ", ".join(sorted(statuses)) or "none"
