"""The NIS project feed: the grid owner's preparation (beredning) of cases, read with a
cursor (issue 15, item 4)."""

from __future__ import annotations

from tests.factories import envelope, swedish_case


def _ask(connector, case):
    payload = {"substation": "T114", "installation_type": str(case.installation_type)}
    connector.deliver(envelope("griddata.requested", case, payload=payload))


def test_a_project_opens_for_grid_work_and_moves_on(connector, nis_sim):
    new = swedish_case(1)
    fuse = swedish_case(2, installation_type="fuse_change", job_type="fuse_upgrade")
    _ask(connector, new)
    _ask(connector, new)  # asked again (a resubmission): one project
    _ask(connector, fuse)  # a fuse change plans no grid work
    first = connector.fetch_events(None, 10)
    assert [(m.case_id, m.payload["state"], m.source) for m in first.messages] == [
        (new.case_id, "to_preparation", "nis")]
    assert nis_sim.advance_projects() == 1
    nis_sim.advance_projects()
    assert nis_sim.advance_projects() == 0  # done
    rest = connector.fetch_events(first.next_cursor, 10)
    assert [m.payload["state"] for m in rest.messages] == ["in_progress", "done"]
    again = connector.fetch_events(None, 10)  # read again from the start: the same ids
    assert [m.message_id for m in again.messages] == [
        m.message_id for m in first.messages + rest.messages]
    assert connector.fetch_events(rest.next_cursor, 10).messages == []
