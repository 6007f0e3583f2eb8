"""Emit routes in a running hub, on the embedded broker and on RabbitMQ: the emitted message is
applied to the case and routed again in the same batch, after the input's own deliveries."""

from hub.store import Store
from tests.factories import envelope, swedish_case
from tests.support.hubrun import routes_yaml, running_hub, settings_for, wait_until
from tests.support.sink import Sink

ROUTES = """\
  - name: submitted-to-alpha
    match: {type: case.submitted}
    to: [alpha]
    retry: fast
  - name: acknowledge-new-installations
    match:
      type: case.submitted
      where: {field: case.installation_type, eq: new_installation}
    emit:
      type: case.note.added
      payload:
        note:
          subject: Mottagen
          text: {from: [payload.facilities.0.meter_placement, case.reference]}
          author: gridhub
          at: {from: occurred_at}
  - name: notes-to-alpha
    match: {type: case.note.added}
    to: [alpha]
    retry: fast
  - name: ping
    match: {type: case.attachment.added}
    emit: {type: case.attachment.added, payload: {attachment: {from: payload.attachment}}}
"""


def test_emitted_message_is_applied_routed_and_ordered_after_its_input(broker, tmp_path):
    url, ns = broker
    with Sink() as alpha:
        settings = settings_for(tmp_path, url, ns, routes_yaml({"alpha": alpha.url}, ROUTES))
        case = swedish_case(61)
        msg = envelope("case.submitted", case)
        with running_hub(settings) as hub:
            hub.inbound.publish([msg])
            wait_until(lambda: len(alpha.unique()) == 2, what="the case and its emitted note")
        submitted, note = alpha.docs()
        assert (submitted["type"], note["type"]) == ("case.submitted", "case.note.added")
        assert note["source"] == "hub" and note["case_id"] == case.case_id
        assert note["payload"]["note"]["text"] == "Mätarskåp i fasad"
        store = Store(settings.store_url)
        store.open()
        state = store.case(case.case_id).state
        assert state["case"]["notes"][-1]["subject"] == "Mottagen"  # applied to the case


def test_an_emit_loop_is_dead_lettered_not_spun(broker, tmp_path):
    url, ns = broker
    with Sink() as alpha:
        settings = settings_for(tmp_path, url, ns, routes_yaml({"alpha": alpha.url}, ROUTES))
        case = swedish_case(62)
        with running_hub(settings) as hub:
            hub.inbound.publish([envelope("case.submitted", case),
                                 envelope("case.attachment.added", case, step=1),
                                 envelope("case.note.added", case, step=2)])
            wait_until(lambda: len(alpha.unique()) == 3, what="the messages after the loop")
            [dead] = hub.store.dead_letters()
        assert dead.exception_type == "InvalidMessage"
        assert "routes.yaml has a loop of emit routes" in dead.exception_message
