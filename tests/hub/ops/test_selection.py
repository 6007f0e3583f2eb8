from datetime import timedelta

from hub.ops.db import reading
from hub.ops.selection import Selection, count_by_status, load_rows, select_ids, select_rows
from hub.tracing import hop
from tests.factories import envelope, norwegian_case, swedish_case
from tests.hub.ops.conftest import add_dead_letter


def _three(store):
    se, no = swedish_case(1), norwegian_case(2)
    a = add_dead_letter(store, envelope("case.submitted", se), connector="kis")
    b = add_dead_letter(store, envelope("case.submitted", no), connector="kis")
    c = add_dead_letter(store, envelope("case.note.added", se, step=1), connector="nis",
                        route="notes-to-nis")
    return se, no, (a, b, c)


def test_a_business_key_or_a_case_id_selects_everything_of_that_case(store):
    se, no, (a, b, c) = _three(store)
    gsrn = se.facilities[0].facility_id.reveal()
    meter = no.facilities[0].meter_number
    with reading(store) as conn:
        # Only the submission's payload names the GSRN; the note does not.
        assert select_ids(conn, Selection(key=gsrn)) == [a]
    with store.transaction() as tx:  # the hub traced the submission: the case has the key
        tx.add_trace([hop(envelope("case.submitted", se), "received", target="hub")])
    with reading(store) as conn:
        assert select_ids(conn, Selection(key=gsrn)) == [a, c]
        assert select_ids(conn, Selection(key=se.case_id)) == [a, c]
        assert select_ids(conn, Selection(key=meter)) == [b]
        assert select_ids(conn, Selection(key="735999000000000000")) == []


def test_filters_combine_and_an_empty_selection_selects_nothing(store):
    se, _, (a, b, c) = _three(store)
    with reading(store) as conn:
        assert select_ids(conn, Selection(connector="kis")) == [a, b]
        assert select_ids(conn, Selection(connector="kis", case_id=se.case_id)) == [a]
        assert select_ids(conn, Selection(message_type="case.note.added")) == [c]
        assert select_ids(conn, Selection(route="notes-to-nis", connector="kis")) == []
        assert select_ids(conn, Selection(ids=(c, a))) == [a, c]
        assert select_ids(conn, Selection()) == []
        assert select_ids(conn, Selection(everything=True)) == [a, b, c]


def test_time_bounds_apply_to_the_last_failure(store):
    _, _, (a, _b, _c) = _three(store)
    with reading(store) as conn:
        [row] = load_rows(conn, [a])
        t = row.last_failure_at
        assert select_ids(conn, Selection(since=t + timedelta(minutes=1))) == []
        assert a in select_ids(conn, Selection(until=t + timedelta(minutes=1)))


def test_status_filter_and_counts(store):
    _, _, (a, b, c) = _three(store)
    with store.transaction() as tx:
        tx.set_dead_letter_status([b], "replayed", replayed=True)
    sel = Selection(connector="kis")
    with reading(store) as conn:
        assert select_ids(conn, sel) == [a]
        assert select_ids(conn, sel, None) == [a, b]
        assert [r.id for r in select_rows(conn, sel, ("replayed",))] == [b]
        assert count_by_status(conn, sel) == {"open": 1, "replayed": 1}
        assert [r.id for r in load_rows(conn, [c, 999, a])] == [c, a]


def test_describe_names_every_criterion():
    sel = Selection(ids=(4, 5), fingerprint="3fa2c1d09e77", connector="kis")
    assert sel.describe() == "ids 4,5, group 3fa2c1d09e77, connector kis"
    assert Selection(everything=True).describe() == "everything"
    assert Selection().is_empty() and not Selection(key="SE-1001").is_empty()
