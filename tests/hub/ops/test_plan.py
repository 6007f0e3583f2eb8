import json

from hub import codec
from hub.errors import InvalidMessage
from hub.ops.db import reading
from hub.ops.plan import RESOLVED, SKIP, outgoing, plan_discard, plan_replay, replay_headers
from hub.ops.selection import load_rows
from hub.store import TraceRow
from hub.topology import Topology
from hub.tracing import hop, now
from tests.factories import envelope, swedish_case
from tests.hub.ops.conftest import add_dead_letter

TOPOLOGY = Topology(namespace="gridhub", quorum=False)


def _rows(store, *ids):
    with reading(store) as conn:
        return load_rows(conn, list(ids))


def _plan(store, ids, **kw):
    with reading(store) as conn:
        return plan_replay(conn, _rows(store, *ids), TOPOLOGY, **kw)


def test_replay_resets_attempt_headers_keeps_route_and_marks_the_replay(store):
    env = envelope("case.submitted", swedish_case(1))
    dl_id = add_dead_letter(store, env, headers={
        codec.H_ROUTE: "submitted-to-alpha", codec.H_ATTEMPT: 4, codec.H_SCHEDULED_ID: 17,
        codec.H_FIRST_FAILURE: "2024-03-14T02:00:00+00:00", "x-trace": "abc"})
    [dl] = _rows(store, dl_id)
    assert replay_headers(dl) == {codec.H_ROUTE: "submitted-to-alpha", "x-trace": "abc",
                                  codec.H_REPLAY_OF: dl_id,
                                  codec.H_IDEMPOTENCY_KEY: codec.replay_key(env.message_id, 1)}
    out = outgoing(dl, TOPOLOGY)
    assert out.exchange.name == "gridhub.out" and out.routing_key == "alpha"
    assert out.body == dl.body and json.loads(out.body)["message_id"] == env.message_id


def test_a_hub_dead_letter_goes_back_to_the_hub_inbound_exchange(store):
    env = envelope("case.note.added", swedish_case(1), step=1)
    dl_id = add_dead_letter(store, env, connector="hub", route=None, headers={},
                            exc=InvalidMessage("no case 'SE-1001' exists", where="case_id"))
    [dl] = _rows(store, dl_id)
    out = outgoing(dl, TOPOLOGY)
    assert (out.exchange.name, out.routing_key) == ("gridhub.in", "hub")
    [item] = _plan(store, [dl_id])
    assert item.action == "replay" and item.destination == "gridhub.in -> hub"


def test_plan_skips_what_cannot_work_and_resolves_what_already_arrived(store):
    case = swedish_case(1)
    first, second = envelope("case.submitted", case), envelope("case.note.added", case, step=1)
    poison = add_dead_letter(store, first, body=b"{this is not json")
    delivered = add_dead_letter(store, first)
    unknown = add_dead_letter(store, second, connector="gamma")
    paused = add_dead_letter(store, second, connector="beta")
    done = add_dead_letter(store, second)
    with store.transaction() as tx:
        tx.mark_delivered("alpha", [first.message_id], now())
        tx.set_dead_letter_status([done], "replayed", replayed=True)
    items = _plan(store, [poison, delivered, unknown, paused, done],
                  connectors={"alpha", "beta"}, paused={"beta"})
    by_id = {i.dead_letter_id: i for i in items}
    assert by_id[poison].action == SKIP and "not a canonical message" in by_id[poison].why
    assert by_id[delivered].action == RESOLVED
    assert by_id[unknown].action == SKIP and "'gamma' is not in the routes" in by_id[unknown].why
    assert by_id[paused].action == "replay" and "paused" in by_id[paused].why
    assert by_id[done].action == SKIP and "--again" in by_id[done].why
    [again] = _plan(store, [done], again=True)
    assert again.action == "replay"


def test_a_hub_dead_letter_counts_as_applied_once_the_hub_received_it_without_refusal(store):
    env = envelope("case.note.added", swedish_case(1), step=1)
    dl_id = add_dead_letter(store, env, connector="hub", route=None, headers={},
                            exc=InvalidMessage("no case exists", where="case_id"))

    def hub_hops(*names):
        rows = [hop(env, n, target="hub" if n == "received" else None,
                    outcome="error" if n == "dead-lettered" else "ok") for n in names]
        with store.transaction() as tx:
            tx.add_trace(rows)

    hub_hops("received", "dead-lettered")  # the original refusal
    [item] = _plan(store, [dl_id])
    assert item.action == "replay"
    hub_hops("received")  # a replay the hub applied; its bookkeeping was lost
    [item] = _plan(store, [dl_id])
    assert item.action == RESOLVED and "already reached the hub" in item.why


def test_discard_takes_open_dead_letters_only(store):
    env = envelope("case.submitted", swedish_case(1))
    a, b = add_dead_letter(store, env), add_dead_letter(store, env)
    with store.transaction() as tx:
        tx.set_dead_letter_status([b], "discarded")
    items = plan_discard(_rows(store, a, b))
    assert [(i.action, i.why) for i in items] == [("discard", "discard"),
                                                   ("skip", "already discarded")]


def test_trace_rows_helper_is_a_real_trace_row():
    # Guards the helper above: the plan reads hops exactly as the hub stage writes them.
    row = hop(envelope("case.submitted", swedish_case(1)), "received", target="hub")
    assert isinstance(row, TraceRow) and row.target == "hub"
