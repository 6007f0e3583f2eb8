"""The hub's delivery contract, end to end over a real broker, store and HTTP targets."""

import json

from kombu import Exchange, Producer

from hub.store import Store
from hub.transports import connection_for
from tests.factories import envelope, swedish_case
from tests.support.hubrun import routes_yaml, running_hub, settings_for, wait_until
from tests.support.sink import Sink

ROUTES = """\
  - name: submitted-to-both
    match: {type: case.submitted}
    to: [alpha, beta]
    retry: fast
  - name: notes-to-alpha
    match: {type: case.note.added}
    to: [alpha]
    retry: fast
"""


def _store(settings):
    store = Store(settings.store_url)
    store.open()
    return store


def _hop(store, case_id, hop, target):
    return [t for t in store.trace(case_id) if t.hop == hop and t.target == target]


def test_message_reaches_every_recipient(broker, tmp_path):
    url, ns = broker
    with Sink() as alpha, Sink() as beta:
        settings = settings_for(tmp_path, url, ns,
                                routes_yaml({"alpha": alpha.url, "beta": beta.url}, ROUTES))
        case = swedish_case(1)
        msg = envelope("case.submitted", case)
        with running_hub(settings) as hub:
            hub.inbound.publish([msg])
            wait_until(lambda: alpha.unique() and beta.unique(), what="both recipients")
        for sink in (alpha, beta):
            [doc] = sink.docs()
            assert doc["case_id"] == case.case_id and doc["causation_id"] == msg.message_id
            assert doc["payload"] == msg.payload
        assert alpha.docs()[0]["message_id"] != beta.docs()[0]["message_id"]
        store = _store(settings)
        assert store.case(case.case_id).status == "submitted"


def test_target_failing_twice_is_delivered_once_on_attempt_three(broker, tmp_path):
    url, ns = broker
    with Sink() as alpha, Sink() as beta:
        alpha.state.fail_next = 2
        settings = settings_for(tmp_path, url, ns,
                                routes_yaml({"alpha": alpha.url, "beta": beta.url}, ROUTES))
        case = swedish_case(2)
        with running_hub(settings) as hub:
            hub.inbound.publish([envelope("case.submitted", case)])
            wait_until(lambda: alpha.unique(), what="delivery after two failures")
            store = hub.store
            wait_until(lambda: _hop(store, case.case_id, "delivered", "alpha"), what="trace")
            [delivered] = _hop(store, case.case_id, "delivered", "alpha")
            retries = _hop(store, case.case_id, "retry-scheduled", "alpha")
        assert len(alpha.docs()) == 1
        assert delivered.attempt == 3
        assert len(retries) == 1  # attempt 1 failed -> immediate retry; attempt 2 -> scheduler
        assert len(beta.docs()) == 1  # the other recipient was never held up


def test_target_failing_for_good_is_dead_lettered_with_context(broker, tmp_path):
    url, ns = broker
    with Sink() as alpha, Sink() as beta:
        alpha.state.fail_always = 422
        settings = settings_for(tmp_path, url, ns,
                                routes_yaml({"alpha": alpha.url, "beta": beta.url}, ROUTES))
        case = swedish_case(3)
        msg = envelope("case.submitted", case)
        with running_hub(settings) as hub:
            hub.inbound.publish([msg])
            wait_until(lambda: hub.store.dead_letters(connector="alpha"), what="dead letter")
            [dl] = hub.store.dead_letters(connector="alpha")
            assert beta.unique()
        assert dl.case_id == case.case_id and dl.message_type == "case.submitted"
        assert dl.route == "submitted-to-both" and dl.connector == "alpha"
        assert dl.attempts == 1  # permanent: no retry
        assert dl.exception_type == "TargetRejected" and "422" in dl.exception_message
        assert dl.remote_fault["status"] == "422"
        assert "sink told to fail" in dl.remote_fault["body_excerpt"]
        assert json.loads(dl.body)["causation_id"] == msg.message_id
        assert dl.headers["x-gridhub-route"] == "submitted-to-both"
        assert dl.first_failure_at <= dl.last_failure_at and len(dl.fingerprint) >= 8
        assert dl.keys.get("gsrn")  # findable by business key


def test_transient_failure_exhausts_policy_then_dead_letters(broker, tmp_path):
    url, ns = broker
    policy = ("{immediate: 1, delayed: 2, initial_delay: 0.1, multiplier: 1, max_delay: 0.2, "
              "jitter: 0, max_age: 60}")
    with Sink() as alpha, Sink() as beta:
        alpha.state.fail_always = 503
        settings = settings_for(tmp_path, url, ns, routes_yaml(
            {"alpha": alpha.url, "beta": beta.url}, ROUTES, policy=policy))
        case = swedish_case(4)
        with running_hub(settings) as hub:
            hub.inbound.publish([envelope("case.submitted", case)])
            wait_until(lambda: hub.store.dead_letters(connector="alpha"), what="dead letter")
            [dl] = hub.store.dead_letters(connector="alpha")
        assert dl.attempts == 4 and dl.exception_type == "TargetServerError"
        assert dl.first_failure_at < dl.last_failure_at


def test_poison_message_is_dead_lettered_and_does_not_block(broker, tmp_path):
    url, ns = broker
    with Sink() as alpha, Sink() as beta:
        settings = settings_for(tmp_path, url, ns,
                                routes_yaml({"alpha": alpha.url, "beta": beta.url}, ROUTES))
        good = envelope("case.submitted", swedish_case(5))
        with running_hub(settings) as hub:
            with connection_for(settings.broker_url) as conn:
                producer = Producer(conn.channel())
                producer.publish(b"{this is not json", exchange=Exchange(f"{ns}.in", "direct"),
                                 routing_key="hub", content_type="application/json",
                                 content_encoding="utf-8", delivery_mode=2)
            hub.inbound.publish([good])
            wait_until(lambda: len(alpha.unique()) == 1, what="the good message")
            wait_until(lambda: hub.store.dead_letters(connector="hub"), what="poison dead letter")
            [dl] = hub.store.dead_letters(connector="hub")
        assert dl.body == b"{this is not json"
        assert dl.exception_type == "InvalidMessage" and "json" in dl.exception_message.lower()


def test_duplicate_message_id_is_applied_once(broker, tmp_path):
    url, ns = broker
    with Sink() as alpha, Sink() as beta:
        settings = settings_for(tmp_path, url, ns,
                                routes_yaml({"alpha": alpha.url, "beta": beta.url}, ROUTES))
        case = swedish_case(6)
        msg = envelope("case.submitted", case)
        with running_hub(settings) as hub:
            hub.inbound.publish([msg])
            hub.inbound.publish([msg])  # the same id again, e.g. a portal that resent
            wait_until(lambda: _hop(hub.store, case.case_id, "duplicate", None),
                       what="duplicate recorded")
            wait_until(lambda: alpha.unique(), what="delivery")
            assert hub.store.case(case.case_id).version == 1
        assert len(alpha.docs()) == 1 and len(beta.docs()) == 1
        assert not _store(settings).dead_letters()  # no impossible submitted -> submitted


def test_a_duplicate_in_a_later_batch_is_applied_and_delivered_once(broker, tmp_path):
    """The store's idempotency keys, not the batch: the copy comes after the first was
    delivered, in a batch of its own."""
    url, ns = broker
    with Sink() as alpha, Sink() as beta:
        settings = settings_for(tmp_path, url, ns,
                                routes_yaml({"alpha": alpha.url, "beta": beta.url}, ROUTES))
        case = swedish_case(9)
        msg = envelope("case.submitted", case)
        with running_hub(settings) as hub:
            hub.inbound.publish([msg])
            wait_until(lambda: _hop(hub.store, case.case_id, "delivered", "alpha")
                       and _hop(hub.store, case.case_id, "delivered", "beta"),
                       what="the first copy delivered to both")
            hub.inbound.publish([msg])  # the same id again, long after: a resend
            wait_until(lambda: _hop(hub.store, case.case_id, "duplicate", None),
                       what="the hub stage to skip the copy")
            # Its stored outputs are re-published; each delivery stage skips them too.
            wait_until(lambda: _hop(hub.store, case.case_id, "duplicate", "alpha")
                       and _hop(hub.store, case.case_id, "duplicate", "beta"),
                       what="both delivery stages to skip the re-published outputs")
            assert hub.store.case(case.case_id).version == 1
        assert len(alpha.docs()) == 1 and len(beta.docs()) == 1
        assert not _store(settings).dead_letters()  # no impossible submitted -> submitted


def test_per_case_order_holds_while_first_is_retried(broker, tmp_path):
    url, ns = broker
    with Sink() as alpha, Sink() as beta:
        a, b = swedish_case(7), swedish_case(8)
        alpha.state.fail_for.add(a.case_id)
        settings = settings_for(tmp_path, url, ns,
                                routes_yaml({"alpha": alpha.url, "beta": beta.url}, ROUTES))
        first = envelope("case.submitted", a)
        second = envelope("case.note.added", a, step=1)
        with running_hub(settings) as hub:
            hub.inbound.publish([first, second, envelope("case.submitted", b)])
            wait_until(lambda: any(d["case_id"] == b.case_id for d in alpha.docs()),
                       what="the other case, not held up")
            wait_until(lambda: _hop(hub.store, a.case_id, "held", "alpha"), what="second held")
            assert not any(d["case_id"] == a.case_id for d in alpha.docs())
            alpha.state.fail_for.clear()  # the target recovers
            wait_until(lambda: sum(d["case_id"] == a.case_id for d in alpha.docs()) == 2,
                       what="both messages of the held case")
        order = [d["type"] for d in alpha.docs() if d["case_id"] == a.case_id]
        assert order == ["case.submitted", "case.note.added"]


def test_paused_connector_parks_messages_and_resume_delivers_in_order(broker, tmp_path):
    from hub.ops.pause import pause, resume

    url, ns = broker
    with Sink() as alpha, Sink() as beta:
        settings = settings_for(tmp_path, url, ns,
                                routes_yaml({"alpha": alpha.url, "beta": beta.url}, ROUTES))
        a = swedish_case(9)
        with running_hub(settings) as hub:
            pause(hub.store, "alpha", actor="ops@nätbolaget", reason="KIS maintenance window")
            hub.inbound.publish([envelope("case.submitted", a),
                                 envelope("case.note.added", a, step=1)])
            wait_until(lambda: beta.unique(), what="the unpaused connector")
            wait_until(lambda: len(_hop(hub.store, a.case_id, "held", "alpha")) == 2,
                       what="both messages parked")
            assert alpha.docs() == []
            assert {t.detail for t in _hop(hub.store, a.case_id, "held", "alpha")} == {
                "connector paused"}
            resume(hub.store, "alpha", actor="ops@nätbolaget", reason="window over")
            wait_until(lambda: len(alpha.docs()) == 2, what="delivery after resume")
        assert [d["type"] for d in alpha.docs()] == ["case.submitted", "case.note.added"]
