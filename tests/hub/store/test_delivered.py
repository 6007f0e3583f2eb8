from datetime import timedelta

from tests.hub.store.builders import AT, workorder


def test_deliveries_are_counted_once_per_destination(store):
    ids = [workorder(seed).message_id for seed in range(3)]
    with store.transaction() as tx:
        tx.mark_delivered("metering", ids, AT)
        tx.mark_delivered("kis", ids[:1], AT)
    with store.transaction() as tx:
        tx.mark_delivered("metering", [ids[0], ids[0]], AT + timedelta(minutes=1))  # redelivery
    assert store.count_delivered("metering") == 3
    assert store.count_delivered("kis") == 1
    assert store.count_delivered("nis") == 0
