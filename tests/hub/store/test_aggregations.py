from datetime import timedelta

from tests.hub.store.builders import AT, workorder

KEY = "SE-1001/griddata"


def _msg(type_, seed=1):
    return workorder(seed).model_dump(mode="json") | {"type": type_}


def test_parts_accumulate_one_per_type_and_take_empties_the_key(store):
    lookup, griddata = _msg("facility.lookup.answered"), _msg("griddata.answered")
    newer_lookup = _msg("facility.lookup.answered", seed=2)
    with store.transaction() as tx:
        assert tx.aggregate_add(KEY, "enrich", "lookup", lookup, AT) == {"lookup": lookup}
        assert tx.aggregate_add("SE-1002/griddata", "enrich", "lookup", lookup, AT) == {
            "lookup": lookup}
    with store.transaction() as tx:
        parts = tx.aggregate_add(KEY, "enrich", "griddata", griddata, AT)
        assert parts == {"lookup": lookup, "griddata": griddata}
        parts = tx.aggregate_add(KEY, "enrich", "lookup", newer_lookup, AT)
        assert parts == {"lookup": newer_lookup, "griddata": griddata}
    with store.transaction() as tx:
        assert tx.aggregate_take(KEY) == {"lookup": newer_lookup, "griddata": griddata}
    with store.transaction() as tx:
        assert tx.aggregate_take(KEY) == {}
        assert tx.aggregates_expired(AT + timedelta(days=1), 10) == [
            ("SE-1002/griddata", "enrich")]


def test_expiry_counts_from_the_first_part(store):
    with store.transaction() as tx:
        tx.aggregate_add("SE-1001/a", "enrich", "lookup", _msg("x"), AT + timedelta(seconds=30))
        tx.aggregate_add("SE-1002/b", "billing", "lookup", _msg("x"), AT + timedelta(seconds=10))
        # a later part does not push the deadline out
        tx.aggregate_add("SE-1001/a", "enrich", "griddata", _msg("y"), AT + timedelta(hours=1))
    with store.transaction() as tx:
        assert tx.aggregates_expired(AT + timedelta(seconds=5), 10) == []
        assert tx.aggregates_expired(AT + timedelta(seconds=10), 10) == [("SE-1002/b", "billing")]
        assert tx.aggregates_expired(AT + timedelta(seconds=30), 10) == [
            ("SE-1002/b", "billing"), ("SE-1001/a", "enrich")]
        assert tx.aggregates_expired(AT + timedelta(seconds=30), 1) == [("SE-1002/b", "billing")]
        assert set(tx.aggregate_take("SE-1001/a")) == {"lookup", "griddata"}
        assert tx.aggregates_expired(AT + timedelta(days=1), 10) == [("SE-1002/b", "billing")]
