"""Replay and discard against a running hub: real broker, real store, a real failing target."""

from __future__ import annotations

import threading
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from hub import codec
from hub.errors import TargetTimeout
from hub.ops.audit import entries
from hub.ops.db import reading
from hub.ops.plan import outgoing, replay_headers
from hub.ops.replay import Control, count_selected, discard, replay
from hub.ops.selection import Selection, load_rows
from hub.publisher import Publisher
from hub.store.trace import TraceRow
from hub.tracing import dead_letter
from hub.transports import connection_for
from tests.factories import envelope, swedish_case
from tests.hub.ops.conftest import add_dead_letter, hub_settings, rejected
from tests.support.hubrun import running_hub, wait_until
from tests.support.sink import Sink

REASON = "alpha refused everything 02:10-02:40 (bad certificate); fixed"


@contextmanager
def _failed_hub(tmp_path, broker, n, status=422):
    """A running hub whose target ``alpha`` refused the first ``n`` cases: ``n`` dead letters."""
    url, ns = broker
    with Sink() as alpha:
        alpha.state.fail_always = status
        settings = hub_settings(tmp_path, url, ns, alpha.url)
        with running_hub(settings) as hub:
            envs = [envelope("case.submitted", swedish_case(60 + i)) for i in range(n)]
            hub.inbound.publish(envs)
            wait_until(lambda: len(hub.store.dead_letters(connector="alpha")) == n,
                       what=f"{n} dead letters")
            conn = connection_for(settings.broker_url)
            try:
                yield hub, alpha, envs, Publisher(conn)
            finally:
                conn.release()


def _delivered(sink):
    return Counter(d["message_id"] for d in sink.docs())


def test_group_replay_after_the_target_is_back_delivers_each_message_once(broker, tmp_path):
    with _failed_hub(tmp_path, broker, 4) as (hub, alpha, envs, publisher):
        store = hub.store
        [group] = store.dead_letter_groups()
        before = {dl.id: dl for dl in store.dead_letters()}
        assert group.count == 4 and group.connector == "alpha"
        alpha.state.fail_always = None  # the target is healthy again
        seen: list[int] = []
        outcome = replay(store, publisher, hub.topology, Selection(fingerprint=group.fingerprint),
                         actor="maria.holm@drift", reason=REASON,
                         progress=lambda item: seen.append(item.dead_letter_id))
        assert outcome.error is None and outcome.done == {"replay": 4}
        assert seen == sorted(before)
        wait_until(lambda: len(alpha.docs()) >= 4, what="four deliveries")
        time.sleep(0.3)  # a duplicate would arrive within this
        assert _delivered(alpha) == Counter({e.message_id: 1 for e in _routed(store, envs)})
        after = {dl.id: dl for dl in store.dead_letters(status=None)}
        for dl_id, old in before.items():
            assert after[dl_id].status == "replayed" and after[dl_id].replay_count == 1
            assert after[dl_id].first_failure_at == old.first_failure_at
        assert store.dead_letter_groups() == []
        with reading(store) as conn:
            audit = entries(conn, action="replay")
        assert sorted(a.dead_letter_id for a in audit) == sorted(before)
        assert {(a.actor, a.reason) for a in audit} == {("maria.holm@drift", REASON)}
        assert all(a.detail["sent"] and a.detail["destination"].endswith("-> alpha")
                   for a in audit)


def _routed(store, envs):
    """The messages the hub routed to alpha for ``envs`` (derived ids, from the trace)."""
    return [h for e in envs for h in store.trace(e.case_id)
            if h.hop == "routed" and h.target == "alpha"]


def test_a_replay_gets_a_fresh_idempotency_key_so_a_target_caching_answers_takes_it(
        broker, tmp_path):
    """A target that answers a repeated key with its first answer (as gridhub asks targets
    to) answered a replay under the old key with its old 422: fixing it and replaying never
    helped. Each replay now sends a key of its own, derived from message id and replay count,
    and the trace shows it."""
    with _failed_hub(tmp_path, broker, 1) as (hub, alpha, _, publisher):
        store = hub.store
        [dl] = store.dead_letters()
        alpha.state.answers_per_key = {dl.message_id: 422}  # its answer to the first delivery
        alpha.state.fail_always = None  # the target is fixed
        replay(store, publisher, hub.topology, Selection(ids=(dl.id,)), actor="a@b",
               reason=REASON)
        wait_until(lambda: alpha.docs(), what="the replay accepted by the fixed target")
        key = codec.replay_key(dl.message_id, 1)
        assert key != dl.message_id and alpha.state.keys == Counter({key: 1})
        wait_until(lambda: any(h.hop == "delivered" for h in store.trace(dl.case_id)),
                   what="the delivery traced")
        hops = {h.hop: h for h in store.trace(dl.case_id) if h.target == "alpha"}
        assert hops["replayed"].detail.endswith(f"; idempotency key {key}")
        assert hops["delivered"].detail == f"idempotency key {key}"
        assert store.dead_letter(dl.id).status == "replayed"
        with reading(store) as conn:
            [audit] = entries(conn, action="replay")
        assert audit.detail["idempotency_key"] == key


def test_each_replay_has_its_own_key_and_retries_of_a_replay_keep_it():
    env = envelope("case.submitted", swedish_case(5))
    dl = replace(dead_letter(rejected("alpha"), body=codec.encode(env), headers={},
                             envelope=env, connector="alpha", route="r", attempts=3), id=12)
    first = replay_headers(dl)[codec.H_IDEMPOTENCY_KEY]
    second = replay_headers(replace(dl, replay_count=1))[codec.H_IDEMPOTENCY_KEY]
    assert len({env.message_id, first, second}) == 3
    assert first == codec.replay_key(env.message_id, 1)  # derived: the same on every run
    # a delayed retry of the replay goes out with the headers it came with, so the same key
    assert codec.idempotency_key(replay_headers(dl), env) == first
    assert codec.idempotency_key({}, env) == env.message_id  # not a replay: the message id
    # the hub stage's own dead letters go to no target: no key
    assert codec.H_IDEMPOTENCY_KEY not in replay_headers(replace(dl, connector="hub"))


def test_after_transient_failures_a_replay_keeps_the_key_the_target_may_have_acted_on():
    env = envelope("case.submitted", swedish_case(6))
    dl = replace(dead_letter(TargetTimeout("no answer in 10 s", where="alpha"),
                             body=codec.encode(env), headers={}, envelope=env,
                             connector="alpha", route="r", attempts=9), id=13)
    assert codec.H_IDEMPOTENCY_KEY not in replay_headers(dl)  # the message id, as before
    replayed = replace(dl, replay_count=1,
                       headers={codec.H_IDEMPOTENCY_KEY: codec.replay_key(env.message_id, 1)})
    assert replay_headers(replayed)[codec.H_IDEMPOTENCY_KEY] == codec.replay_key(
        env.message_id, 1)


def test_a_replayed_message_that_already_arrived_is_not_applied_twice(broker, tmp_path):
    with _failed_hub(tmp_path, broker, 1) as (hub, alpha, _, publisher):
        store = hub.store
        alpha.state.fail_always = None
        [dl] = store.dead_letters()
        replay(store, publisher, hub.topology, Selection(ids=(dl.id,)), actor="a@b",
               reason=REASON)
        wait_until(lambda: alpha.docs(), what="the replayed delivery")
        # A crash between publish and bookkeeping sends it again: the delivery stage skips it.
        publisher.publish([outgoing(dl, hub.topology)])
        wait_until(lambda: any(h.hop == "duplicate" for h in store.trace(dl.case_id)),
                   what="the duplicate to be recognised")
        # And a deliberate replay of it again sends nothing at all.
        again = replay(store, publisher, hub.topology, Selection(ids=(dl.id,)), actor="a@b",
                       reason=REASON, again=True)
        assert again.done == {"resolved": 1}
        assert len(alpha.docs()) == 1
        assert store.dead_letter(dl.id).replay_count == 1


def test_a_message_the_hub_refused_is_applied_when_replayed_after_the_fix(broker, tmp_path):
    url, ns = broker
    case = swedish_case(70)
    note = envelope("case.note.added", case, step=1)
    with Sink() as alpha:
        settings = hub_settings(tmp_path, url, ns, alpha.url)
        with running_hub(settings) as hub:
            hub.inbound.publish([note])  # before its case exists: refused
            wait_until(lambda: hub.store.dead_letters(connector="hub"), what="hub dead letter")
            hub.inbound.publish([envelope("case.submitted", case)])  # the fix: the case arrives
            wait_until(lambda: len(alpha.docs()) == 1, what="the case delivered")
            conn = connection_for(settings.broker_url)
            try:
                out = replay(hub.store, Publisher(conn), hub.topology,
                             Selection(connector="hub"), actor="a@b", reason="case now exists")
            finally:
                conn.release()
            assert out.done == {"replay": 1}
            wait_until(lambda: len(alpha.docs()) == 2, what="the note routed after replay")
            [dl] = hub.store.dead_letters(status=None, connector="hub")
            assert dl.status == "replayed"
            assert hub.store.case(case.case_id).last_message_id == note.message_id
        assert [d["type"] for d in alpha.docs()] == ["case.submitted", "case.note.added"]


def test_dry_run_changes_nothing_and_says_what_would_happen(tmp_path):
    with _failed_hub(tmp_path, ("embedded", "gridhub"), 3) as (hub, alpha, _, publisher):
        alpha.state.fail_always = None
        out = replay(hub.store, publisher, hub.topology, Selection(connector="alpha"),
                     actor="a@b", reason="", dry_run=True)
        assert out.planned("replay") == 3 and out.done == {}
        assert all(i.destination == "gridhub.out -> alpha" for i in out.items)
        time.sleep(0.3)
        assert alpha.docs() == []
        assert [dl.status for dl in hub.store.dead_letters(status=None)] == ["open"] * 3
        with reading(hub.store) as conn:
            assert entries(conn) == []


def test_replay_is_rate_limited_and_stops_between_messages(tmp_path, store):
    settings = hub_settings(tmp_path, "embedded", "gridhub", "http://127.0.0.1:9/in")
    env = [envelope("case.submitted", swedish_case(80 + i)) for i in range(5)]
    ids = [add_dead_letter(store, e) for e in env]
    from hub.topology import topology_for

    topology = topology_for("gridhub", settings.broker_url)
    conn = connection_for(settings.broker_url)
    try:
        topology.declare(conn, ["alpha"])
        publisher = Publisher(conn)
        control = Control()
        sent: list[float] = []

        def progress(item):
            sent.append(time.monotonic())
            if len(sent) == 3:
                control.stop()

        out = replay(store, publisher, topology, Selection(ids=tuple(ids)), actor="a@b",
                     reason=REASON, rate=10, progress=progress, control=control)
    finally:
        conn.release()
    assert out.stopped and out.done == {"replay": 3}
    statuses = [dl.status for dl in store.dead_letters(status=None)]
    assert statuses == ["replayed"] * 3 + ["open"] * 2
    assert count_selected(store, Selection(ids=tuple(ids))) == 5


def test_a_paused_replay_waits_until_resumed(tmp_path, store):
    ids = [add_dead_letter(store, envelope("case.submitted", swedish_case(90)))]
    settings = hub_settings(tmp_path, "embedded", "gridhub", "http://127.0.0.1:9/in")
    from hub.topology import topology_for

    topology = topology_for("gridhub", settings.broker_url)
    conn = connection_for(settings.broker_url)
    control = Control()
    control.pause()
    result = {}
    try:
        topology.declare(conn, ["alpha"])
        worker = threading.Thread(target=lambda: result.update(out=replay(
            store, Publisher(conn), topology, Selection(ids=tuple(ids)), actor="a@b",
            reason=REASON, control=control)))
        worker.start()
        time.sleep(0.4)
        assert store.dead_letter(ids[0]).status == "open" and control.paused
        control.resume()
        worker.join(10)
    finally:
        conn.release()
    assert not worker.is_alive() and result["out"].done == {"replay": 1}


class _DeliversAtOnce:
    """A publisher whose message is delivered, and traced, before ``publish`` returns: the
    fastest a delivery stage can be, ahead of the replay's own transaction."""

    def __init__(self, store, env):
        self.store, self.env = store, env

    def publish(self, messages):
        assert len(messages) == 1
        with self.store.transaction() as tx:
            tx.add_trace([TraceRow(message_id=self.env.message_id, case_id=self.env.case_id,
                                   type=self.env.type, hop="delivered", source="alpha",
                                   at=datetime.now(UTC))])


def test_the_trace_reads_replayed_before_the_delivery_it_caused(tmp_path, store):
    env = envelope("case.submitted", swedish_case(91))
    dl_id = add_dead_letter(store, env)
    settings = hub_settings(tmp_path, "embedded", "gridhub", "http://127.0.0.1:9/in")
    from hub.topology import topology_for

    topology = topology_for("gridhub", settings.broker_url)
    out = replay(store, _DeliversAtOnce(store, env), topology, Selection(ids=(dl_id,)), actor="a@b",
                 reason=REASON)
    assert out.done == {"replay": 1}
    hops = [row.hop for row in store.trace(env.case_id)]
    assert hops.index("replayed") < hops.index("delivered"), hops


def test_discard_keeps_the_record_audits_and_is_never_replayed(store):
    case = swedish_case(1)
    a = add_dead_letter(store, envelope("case.submitted", case))
    b = add_dead_letter(store, envelope("case.note.added", case, step=1))
    dry = discard(store, Selection(ids=(a,)), actor="a@b", reason="", dry_run=True)
    assert dry.planned("discard") == 1 and store.dead_letter(a).status == "open"
    out = discard(store, Selection(ids=(a, b)), actor="erik@drift", reason="test case, void")
    assert out.done == {"discard": 2}
    assert {store.dead_letter(i).status for i in (a, b)} == {"discarded"}
    with reading(store) as conn:
        assert {e.dead_letter_id for e in entries(conn, action="discard")} == {a, b}
    with pytest.raises(ValueError, match="reason"):
        discard(store, Selection(ids=(a,)), actor="a@b", reason=" ")


def test_a_replay_that_fails_again_reopens_its_dead_letter(store):
    env = envelope("case.submitted", swedish_case(1))
    dl_id = add_dead_letter(store, env)
    with store.transaction() as tx:
        tx.set_dead_letter_status([dl_id], "replayed", replayed=True)
    with reading(store) as conn:
        [original] = load_rows(conn, [dl_id])
    key = codec.replay_key(env.message_id, 1)
    failed = replace(original, headers={codec.H_REPLAY_OF: dl_id, codec.H_IDEMPOTENCY_KEY: key},
                     attempts=2,
                     exception_message="HTTP 503 again", last_failure_at=original.last_failure_at
                     .replace(year=original.last_failure_at.year + 1))
    with store.transaction() as tx:
        assert tx.reopen_dead_letter(failed)
        assert not tx.reopen_dead_letter(replace(failed, headers={}))  # not a replay: add as new
        assert not tx.reopen_dead_letter(failed)  # already open again: not twice
    now = store.dead_letter(dl_id)
    assert now.status == "open" and now.replay_count == 1 and now.attempts == 5
    assert now.first_failure_at == original.first_failure_at
    assert now.exception_message == "HTTP 503 again"
    assert now.headers[codec.H_IDEMPOTENCY_KEY] == key  # what the next replay may need to keep


class _RecordingControl:
    """Records the deadlines the pacer waits for, instead of waiting."""

    def __init__(self):
        self.deadlines = []

    def wait_until(self, deadline):
        self.deadlines.append(deadline)
        return True


def test_pacer_spaces_sends_by_the_rate_and_skips_are_free():
    from hub.ops.replay import _Pacer

    control, pacer = _RecordingControl(), _Pacer(10)
    before = time.monotonic()
    pacer.wait(control, counts=True)
    after = time.monotonic()
    pacer.wait(control, counts=False)  # a skipped item costs no slot
    pacer.wait(control, counts=True)
    first, skipped, second = control.deadlines
    assert first == 0.0 and skipped == 0.0
    assert before + 0.1 <= second <= after + 0.1  # the next send one interval after the last


def test_pacer_without_rate_never_waits():
    from hub.ops.replay import _Pacer

    control, pacer = _RecordingControl(), _Pacer(None)
    for _ in range(3):
        pacer.wait(control, counts=True)
    assert max(control.deadlines) <= time.monotonic()
