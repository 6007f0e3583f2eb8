"""`gridhub handle`: the handler queue and a person's decision, on a running hub (RabbitMQ,
where the CLI may publish while the hub runs)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from hub.ops.audit import entries
from hub.ops.db import reading
from tests.factories import envelope, swedish_case
from tests.hub.ops.conftest import cli_env, gridhub_group
from tests.support.hubrun import routes_yaml, running_hub, settings_for, wait_until
from tests.support.sink import Sink

ROUTES = """\
  - name: to-handler-queue
    match:
      type: case.submitted
      where: {field: case.installation_type, ne: fuse_change}
    emit:
      type: case.enriched
      payload:
        griddata: {decision: approved, decided_on: "2024-03-14", signature: NIS Netbas,
                   service: {substation: T114}}
        missing: [lookup]
  - name: decisions-to-alpha
    match: {type: [case.approved, case.rejected]}
    to: [alpha]
    retry: fast
"""


def test_waiting_cases_are_listed_and_decided(amqp_url, amqp_namespace, tmp_path):
    with Sink() as alpha:
        settings = settings_for(tmp_path, amqp_url, amqp_namespace,
                                routes_yaml({"alpha": alpha.url}, ROUTES))
        waiting, other = swedish_case(71), swedish_case(72)
        fuse = swedish_case(73, installation_type="fuse_change", job_type="fuse_upgrade")
        runner = CliRunner()

        def gridhub(*args: str):
            return runner.invoke(gridhub_group(), list(args), env=cli_env(settings),
                                 catch_exceptions=False)

        with running_hub(settings) as hub:
            hub.inbound.publish([envelope("case.submitted", c) for c in (waiting, other, fuse)])
            wait_until(lambda: hub.store.case(fuse.case_id) is not None, what="the cases")
            listed = json.loads(gridhub("handle", "list", "--json").output)
            approved = gridhub("handle", "approve", waiting.case_id, "--note", "OK, servis 25 A.",
                               "--fee", "1500", "--project", "5900315", "--bill-customer")
            rejected = gridhub("handle", "reject", other.case_id, "--reason",
                               "Situationsplan saknas.", "--wrong-installation-type")
            again = gridhub("handle", "approve", "SE-9999")
            wait_until(lambda: len(alpha.unique()) == 2, what="both decisions at alpha")
            wait_until(lambda: hub.store.case(other.case_id).status == "pre_rejected",
                       what="the rejection applied")
            with reading(hub.store) as conn:
                audit = entries(conn)
        assert [w["case_id"] for w in listed] == [waiting.case_id, other.case_id]
        assert approved.exit_code == 0 and rejected.exit_code == 0
        assert again.exit_code == 1 and "no case 'SE-9999'" in again.output
        docs = {d["case_id"]: d for d in alpha.docs()}
        assert docs[waiting.case_id]["type"] == "case.approved"
        assert docs[waiting.case_id]["payload"]["note"]["text"] == "OK, servis 25 A."
        # Installationsmedgivande med nätuppgifter: signed by the person who decided.
        signed = docs[waiting.case_id]["payload"]["grid_data"]
        assert (signed["signature"], signed["project_number"], signed["bill_customer"]) == (
            "maria.holm@drift", "5900315", True)
        assert (signed["connection_fee"], signed["currency"]) == ("1500.0", "SEK")
        assert signed["service"]["substation"] == "T114"  # NIS's grid data carried on
        assert docs[other.case_id]["payload"]["wrong_installation_type"] is True
        assert {(a.action, a.subject, a.actor) for a in audit} == {
            ("approve", f"case {waiting.case_id}", "maria.holm@drift"),
            ("reject", f"case {other.case_id}", "maria.holm@drift")}
