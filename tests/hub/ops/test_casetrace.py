from datetime import UTC, datetime, timedelta

import pytest

from hub.ops.casetrace import case_trace
from hub.ops.pause import pause
from hub.store import CaseRow, ScheduledRow
from hub.tracing import hop
from tests.factories import envelope, swedish_case
from tests.hub.ops.conftest import add_dead_letter

T = datetime(2024, 3, 14, 8, 30, tzinfo=UTC)


def _story(store):
    case = swedish_case(1)
    submitted = envelope("case.submitted", case)
    note = envelope("case.note.added", case, step=1)
    with store.transaction() as tx:
        tx.add_trace([
            hop(submitted, "received", target="hub", at=T),
            hop(submitted, "routed", target="kis", route="to-kis", at=T + timedelta(seconds=1)),
            hop(submitted, "delivered", target="kis", attempt=1, at=T + timedelta(seconds=2)),
            hop(note, "received", target="hub", at=T + timedelta(minutes=1)),
            hop(note, "retry-scheduled", target="nis", outcome="error", attempt=2,
                detail="TargetServerError: HTTP 503", at=T + timedelta(minutes=2)),
        ])
        state = {"side_tracks": {"preparation": "in_progress", "work_order": None},
                 "flags": ["urgent"]}
        tx.save_cases([CaseRow(case_id=case.case_id, status="submitted",
                               flow="with_prenotification", state=state,
                               keys={"gsrn": [case.facilities[0].facility_id.reveal()]},
                               updated_at=T + timedelta(minutes=1))])
        tx.schedule([ScheduledRow(destination="nis", case_id=case.case_id,
                                  message_id=note.message_id, body=b"{}", attempt=2,
                                  last_error="HTTP 503", due_at=T + timedelta(minutes=5)),
                     ScheduledRow(destination="elhub", case_id=case.case_id,
                                  message_id="m-elhub", body=b"{}")])
    pause(store, "elhub", actor="maria@drift", reason="Elhub maintenance")
    dl_id = add_dead_letter(store, submitted, connector="metering")
    return case, dl_id


def test_trace_by_gsrn_tells_the_timeline_status_side_tracks_waiting_and_failures(store):
    case, dl_id = _story(store)
    found = case_trace(store, case.facilities[0].facility_id.reveal())
    assert found.found
    assert [h.hop for h in found.hops] == ["received", "routed", "delivered", "received",
                                           "retry-scheduled"]
    [summary] = found.cases
    assert summary.case_id == case.case_id and summary.status == "submitted"
    assert summary.side_tracks == {"preparation": "in_progress"}
    assert summary.flags == ["urgent"]
    by_destination = {w.destination: w for w in summary.waiting}
    assert by_destination["nis"].due_at == T + timedelta(minutes=5)
    assert by_destination["elhub"].due_at is None and by_destination["elhub"].paused
    assert [d.id for d in summary.open_dead_letters] == [dl_id]


def test_trace_by_case_id_and_by_meter_number_find_the_same_case(store):
    case, _ = _story(store)
    by_case = case_trace(store, case.case_id)
    by_meter = case_trace(store, case.facilities[0].meter_number, "meter_number")
    assert [c.case_id for c in by_case.cases] == [c.case_id for c in by_meter.cases]
    assert len(by_case.hops) == len(by_meter.hops) == 5


def test_an_unknown_key_finds_nothing_and_a_wrong_kind_is_refused(store):
    _story(store)
    assert not case_trace(store, "735999000000000017").found
    with pytest.raises(ValueError, match="key kind"):
        case_trace(store, "SE-1001", "personnummer")
