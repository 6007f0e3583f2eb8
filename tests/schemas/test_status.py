"""The status machine: every allowed transition of both flows, and refusals with clear text."""

import itertools

import pytest

from hub.errors import ImpossibleTransition, PermanentError
from schemas.codes import CaseStatus as S
from schemas.codes import Flow
from schemas.status import FINAL, allowed, can, next_statuses, transition

PRE = Flow.with_prenotification
ONLY = Flow.completion_only

EXPECTED = {
    PRE: {
        (S.draft, S.submitted),
        (S.submitted, S.approved),
        (S.submitted, S.pre_rejected),
        (S.pre_rejected, S.submitted),
        (S.approved, S.completion_submitted),
        (S.completion_submitted, S.completion_approved),
        (S.completion_submitted, S.completion_rejected),
        (S.completion_rejected, S.completion_submitted),
        (S.completion_approved, S.archived),
    }
    | {(s, S.cancelled) for s in S
       if s not in (S.archived, S.cancelled, S.completion_approved)},
    ONLY: {
        (S.draft, S.completion_submitted),
        (S.completion_submitted, S.completion_approved),
        (S.completion_submitted, S.completion_rejected),
        (S.completion_rejected, S.completion_submitted),
        (S.completion_approved, S.archived),
    }
    | {(s, S.cancelled) for s in (S.draft, S.completion_submitted, S.completion_rejected)},
}

ALL_PAIRS = [(flow, pair) for flow in Flow for pair in sorted(EXPECTED[flow])]


def test_allowed_sets_are_exactly_the_documented_ones():
    for flow in Flow:
        assert set(allowed(flow)) == EXPECTED[flow]


@pytest.mark.parametrize(("flow", "pair"), ALL_PAIRS, ids=lambda x: str(x))
def test_every_allowed_transition(flow, pair):
    current, target = pair
    assert transition(current, target, flow) is target
    assert can(current, target, flow)


@pytest.mark.parametrize("flow", list(Flow))
def test_every_other_pair_is_refused(flow):
    for current, target in itertools.product(S, S):
        if (current, target) in EXPECTED[flow]:
            continue
        assert not can(current, target, flow)
        with pytest.raises(ImpossibleTransition):
            transition(current, target, flow)


@pytest.mark.parametrize(
    ("current", "target", "flow", "text"),
    [
        (S.archived, S.submitted, PRE,
         "cannot go from archived (Arkiverad) to submitted (För godkännande) in flow "
         "with_prenotification (it is final)"),
        (S.draft, S.approved, PRE,
         "cannot go from draft (Ej skickat) to approved (Installationsmedgivande) in flow "
         "with_prenotification (allowed: cancelled, submitted)"),
        (S.draft, S.submitted, ONLY,
         "cannot go from draft (Ej skickat) to submitted (För godkännande) in flow "
         "completion_only (allowed: cancelled, completion_submitted)"),
        (S.cancelled, S.cancelled, PRE, "cannot go from cancelled (Avbruten) to cancelled"),
        (S.pre_rejected, S.approved, PRE,
         "cannot go from pre_rejected (Avvisad föranmälan) to approved"),
    ],
)
def test_refusal_names_both_states_with_swedish_labels(current, target, flow, text):
    with pytest.raises(ImpossibleTransition) as info:
        transition(current, target, flow)
    assert text in info.value.message
    assert info.value.where == "status"
    assert isinstance(info.value, PermanentError)  # dead letter, no retry


def test_final_statuses_go_nowhere():
    for flow in Flow:
        for status in FINAL:
            assert next_statuses(status, flow) == frozenset()


def test_cancel_is_reachable_from_every_open_status():
    for status in S:
        if status not in FINAL and status != S.completion_approved:
            assert can(status, S.cancelled, PRE)


def test_no_cancel_after_the_grid_owner_archived_the_completion():
    # Arkiverad av Nätthandläggare: the completion is approved and the meter work released.
    for flow in Flow:
        assert not can(S.completion_approved, S.cancelled, flow)


def test_string_values_are_accepted():
    assert transition("draft", "submitted", "with_prenotification") is S.submitted
