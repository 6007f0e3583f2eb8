from dataclasses import replace
from datetime import timedelta

from tests.hub.store.builders import AT, case_row


def test_saved_case_round_trips_with_version_one(store):
    row = case_row(1)
    with store.transaction() as tx:
        tx.save_cases([row])
    got = store.case(row.case_id)
    assert got == replace(row, version=1)
    assert got.state["property_owner"]["personal_number"] == row.state["property_owner"][
        "personal_number"]


def test_saving_again_replaces_the_state_and_increments_the_version(store):
    row = case_row(1)
    with store.transaction() as tx:
        tx.save_cases([row])
    later = replace(row, status="approved", updated_at=AT + timedelta(hours=2),
                    state={**row.state, "status": "approved"}, last_message_id="m-2", version=0)
    with store.transaction() as tx:
        tx.save_cases([later])
    with store.transaction() as tx:
        tx.save_cases([replace(later, status="completion_submitted")])
    got = store.case(row.case_id)
    assert got.version == 3
    assert got.status == "completion_submitted"
    assert got.state["status"] == "approved"
    assert got.last_message_id == "m-2"
    assert got.updated_at == AT + timedelta(hours=2)


def test_a_case_twice_in_one_batch_keeps_the_last(store):
    row = case_row(2)
    with store.transaction() as tx:
        tx.save_cases([row, replace(row, status="approved")])
    got = store.case(row.case_id)
    assert (got.status, got.version) == ("approved", 1)


def test_load_cases_returns_only_known_cases(store):
    rows = [case_row(seed) for seed in range(3)]
    with store.transaction() as tx:
        tx.save_cases(rows)
    with store.transaction() as tx:
        got = tx.load_cases([rows[0].case_id, rows[2].case_id, "SE-9999"])
    assert set(got) == {rows[0].case_id, rows[2].case_id}
    assert got[rows[2].case_id].keys == rows[2].keys
    assert store.case("SE-9999") is None
