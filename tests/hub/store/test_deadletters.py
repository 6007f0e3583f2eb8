import re
from dataclasses import replace
from datetime import timedelta

import pytest

from hub.errors import RemoteFault
from hub.store import fingerprint
from tests.hub.store.builders import AT, dead_letter_row, keys_of, workorder

REMOTE = RemoteFault(kind="soap", status="soap:Client", message="Ogiltigt GSRN",
                     body_excerpt="<faultstring>Ogiltigt GSRN</faultstring>",
                     details={"reason_codes": ["E10"]}).as_dict()


def test_every_field_round_trips_and_ids_follow_the_input_order(store):
    env = workorder(1)
    row = replace(dead_letter_row(env, remote=REMOTE),
                  body=b"\xff\xfe<not utf-8>", headers={"message_id": env.message_id,
                                                        "x-gridhub-attempt": 3})
    other = dead_letter_row(workorder(2), connector="kis")
    with store.transaction() as tx:
        ids = tx.add_dead_letters([row, other])
    assert len(ids) == 2 and ids[0] < ids[1]
    got = store.dead_letter(ids[0])
    assert got.id == ids[0]
    assert got.created_at is not None and got.created_at.utcoffset() == timedelta(0)
    assert replace(got, id=None, created_at=None) == row
    assert got.remote_fault["details"] == {"reason_codes": ["E10"]}
    assert store.dead_letter(ids[1]).connector == "kis"
    assert store.dead_letter(ids[1] + 1000) is None


def test_filters_select_by_each_field(store):
    a, b, c = workorder(1), workorder(2), workorder(3)
    rows = [
        dead_letter_row(a, at=AT),
        dead_letter_row(b, connector="kis", exception_type="InvalidMessage", where="payer",
                        at=AT + timedelta(hours=1)),
        replace(dead_letter_row(c, at=AT + timedelta(hours=2)), route="billing"),
    ]
    with store.transaction() as tx:
        ids = tx.add_dead_letters(rows)

    def found(**filters):
        return [d.id for d in store.dead_letters(**filters)]

    assert found() == ids
    assert found(connector="kis") == [ids[1]]
    assert found(route="billing") == [ids[2]]
    assert found(message_type="workorder.created") == ids
    assert found(fingerprint=rows[0].fingerprint) == [ids[0], ids[2]]
    assert found(case_id=b.case_id) == [ids[1]]
    assert found(key=keys_of(c)["gsrn"][0]) == [ids[2]]
    assert found(key=keys_of(a)["workorder_id"][0]) == [ids[0]]
    assert found(since=AT + timedelta(hours=1)) == ids[1:]
    assert found(until=AT + timedelta(hours=1)) == ids[:2]
    assert found(limit=2) == ids[:2]
    assert found(connector="metering", route="workorders") == [ids[0]]
    assert found(status="discarded") == []


def test_status_changes_and_replays_are_counted(store):
    env = workorder(1)
    with store.transaction() as tx:
        [one, two] = tx.add_dead_letters([dead_letter_row(env), dead_letter_row(workorder(2))])
    with store.transaction() as tx:
        tx.set_dead_letter_status([one], "replayed", replayed=True)
    with store.transaction() as tx:
        tx.set_dead_letter_status([one], "open")
        tx.set_dead_letter_status([one], "replayed", replayed=True)
        tx.set_dead_letter_status([two], "discarded")
    assert (store.dead_letter(one).status, store.dead_letter(one).replay_count) == ("replayed", 2)
    assert (store.dead_letter(two).status, store.dead_letter(two).replay_count) == ("discarded", 0)
    assert store.dead_letters() == []
    assert [d.id for d in store.dead_letters(status=None)] == [one, two]
    assert [d.id for d in store.dead_letters(status="replayed")] == [one]


def test_an_unknown_status_is_refused_by_name(store):
    with store.transaction() as tx:
        [dl] = tx.add_dead_letters([dead_letter_row(workorder(1))])
        with pytest.raises(ValueError, match="'retried'"):
            tx.set_dead_letter_status([dl], "retried")


def test_groups_by_fingerprint_with_counts_times_and_latest_error(store):
    rejected = [dead_letter_row(workorder(i), at=AT + timedelta(minutes=i),
                                message=f"HTTP 422: mätare {i} okänd") for i in range(3)]
    invalid = dead_letter_row(workorder(9), connector="kis", exception_type="InvalidMessage",
                              where="payer.organisation_number", at=AT + timedelta(hours=1))
    with store.transaction() as tx:
        ids = tx.add_dead_letters([*rejected, invalid])
        tx.set_dead_letter_status([ids[0]], "discarded")

    groups = store.dead_letter_groups()
    assert [(g.fingerprint, g.count) for g in groups] == [
        (rejected[0].fingerprint, 2), (invalid.fingerprint, 1)]
    big = groups[0]
    assert big.first_failure == rejected[1].first_failure_at
    assert big.last_failure == rejected[2].last_failure_at
    assert big.last_failure.utcoffset() == timedelta(0)
    assert (big.exception_type, big.connector, big.message_type, big.route) == (
        "TargetRejected", "metering", "workorder.created", "workorders")
    assert big.sample_error == "HTTP 422: mätare 2 okänd"
    assert store.dead_letter_groups(status="discarded")[0].count == 1
    assert sum(g.count for g in store.dead_letter_groups(status=None)) == 4


def test_fingerprint_is_short_stable_and_separates_causes():
    base = fingerprint("TargetRejected", "WorkOrder/Gsrn", "metering", "workorder.created")
    assert re.fullmatch(r"[0-9a-f]{12}", base)
    assert base == fingerprint("TargetRejected", "WorkOrder/Gsrn", "metering",
                               "workorder.created")
    variants = {
        fingerprint("TargetTimeout", "WorkOrder/Gsrn", "metering", "workorder.created"),
        fingerprint("TargetRejected", None, "metering", "workorder.created"),
        fingerprint("TargetRejected", "WorkOrder/Gsrn", "kis", "workorder.created"),
        fingerprint("TargetRejected", "WorkOrder/Gsrn", "metering", None),
        # field boundaries matter: moving text between fields is another cause
        fingerprint("TargetRejected", "WorkOrder/Gsrnmetering", "", "workorder.created"),
    }
    assert base not in variants and len(variants) == 5
