"""Every ops command on a running hub with real dead letters from a failing target."""

from __future__ import annotations

import json
import time
from collections import Counter
from contextlib import contextmanager

import pytest
from click.testing import CliRunner

from hub.ops.audit import entries
from hub.ops.db import reading
from tests.factories import envelope, swedish_case
from tests.hub.ops.conftest import cli_env, gridhub_group, hub_settings
from tests.support.hubrun import running_hub, wait_until
from tests.support.sink import Sink

REASON = "alpha refused all 02:10-02:40: expired client certificate, renewed"


@contextmanager
def _hub(tmp_path, broker=("embedded", "gridhub"), n=3):
    """A running hub whose target alpha refused ``n`` cases (422), and a CLI pointed at it."""
    url, ns = broker
    with Sink() as alpha:
        alpha.state.fail_always = 422
        settings = hub_settings(tmp_path, url, ns, alpha.url)
        cases = [swedish_case(40 + i) for i in range(n)]
        with running_hub(settings) as hub:
            hub.inbound.publish([envelope("case.submitted", c) for c in cases])
            wait_until(lambda: len(hub.store.dead_letters()) == n, what=f"{n} dead letters")
            # Each dead letter marks its case on hold (a message of its own through the hub).
            wait_until(lambda: all("on_hold" in hub.store.case(c.case_id).state["flags"]
                                   for c in cases), what="the cases marked on hold")
            runner = CliRunner()
            env = cli_env(settings)

            def gridhub(*args: str, input: str | None = None):
                return runner.invoke(gridhub_group(), list(args), env=env, input=input,
                                     catch_exceptions=False)

            yield gridhub, hub, alpha, cases


def test_dlq_list_filters_and_json(tmp_path):
    with _hub(tmp_path) as (gridhub, _h, _, cases):
        listed = gridhub("dlq", "list")
        gsrn = cases[1].facilities[0].facility_id.reveal()
        by_key = gridhub("dlq", "list", "--key", gsrn, "--json")
        recent = gridhub("dlq", "list", "--since", "1h", "--connector", "alpha")
        old = gridhub("dlq", "list", "--until", "2020-01-01")
        bad_time = gridhub("dlq", "list", "--since", "yesterday-ish")
    assert listed.exit_code == 0
    rows = [line for line in listed.output.splitlines() if "TargetRejected" in line]
    assert len(rows) == 3 and all(" alpha " in r and "case.submitted" in r for r in rows)
    assert "3 dead letter(s)" in listed.output
    [doc] = json.loads(by_key.output)
    assert doc["case_id"] == cases[1].case_id and "body" not in doc
    assert len([ln for ln in recent.output.splitlines() if "TargetRejected" in ln]) == 3
    assert old.exit_code == 0 and "no open dead letters match" in old.output
    assert bad_time.exit_code == 2 and "neither an ISO time" in bad_time.output


def test_dlq_groups_and_show_with_masking_and_audited_reveal(tmp_path):
    with _hub(tmp_path, n=2) as (gridhub, hub, _, cases):
        groups = gridhub("dlq", "groups")
        [group] = json.loads(gridhub("dlq", "groups", "--json").output)
        dl = hub.store.dead_letters()[0]
        shown = gridhub("dlq", "show", str(dl.id))
        as_json = json.loads(gridhub("dlq", "show", str(dl.id), "--json").output)
        no_reason = gridhub("dlq", "show", str(dl.id), "--reveal")
        revealed = gridhub("dlq", "show", str(dl.id), "--reveal", "--reason", "customer call")
        missing = gridhub("dlq", "show", "99999")
        with reading(hub.store) as conn:
            [audit] = entries(conn, action="reveal")
    owner = cases[0].property_owner
    personal = owner.personal_number.reveal()
    assert group["count"] == 2 and group["connector"] == "alpha"
    assert group["fingerprint"] in groups.output and "dlq replay --group" in groups.output
    assert shown.exit_code == 0
    for needle in ("TargetRejected", "422", "x-gridhub-route: submitted-to-alpha",
                   "personal data masked", "dead-lettered", cases[0].case_id):
        assert needle in shown.output
    assert personal not in shown.output and owner.name not in shown.output
    assert personal not in json.dumps(as_json, ensure_ascii=False) and as_json["masked"]
    assert no_reason.exit_code == 2 and "--reason" in no_reason.output
    assert personal in revealed.output and owner.name in revealed.output
    assert audit.dead_letter_id == dl.id and audit.reason == "customer call"
    assert audit.actor == "maria.holm@drift"
    assert missing.exit_code == 1 and "no dead letter 99999" in missing.output


def test_group_replay_after_the_target_is_healthy_delivers_every_message_once(broker, tmp_path):
    with _hub(tmp_path, broker) as (gridhub, hub, alpha, _):
        [group] = hub.store.dead_letter_groups()
        fp = group.fingerprint
        no_reason = gridhub("dlq", "replay", "--group", fp)
        nothing = gridhub("dlq", "replay", "--reason", REASON)
        dry = gridhub("dlq", "replay", "--group", fp, "--dry-run")
        declined = gridhub("dlq", "replay", "--group", fp, "--reason", REASON, input="n\n")
        time.sleep(0.3)
        assert alpha.docs() == [] and len(hub.store.dead_letters()) == 3
        alpha.state.fail_always = None  # the target is healthy again
        done = gridhub("dlq", "replay", "--group", fp, "--reason", REASON, "--yes",
                       "--rate", "50")
        wait_until(lambda: len(alpha.docs()) >= 3, what="three deliveries")
        time.sleep(0.3)
        open_after = gridhub("dlq", "list")
        replayed = gridhub("dlq", "list", "--status", "replayed", "--json")
        second = gridhub("dlq", "replay", "--group", fp, "--reason", REASON, "--yes")
        with reading(hub.store) as conn:
            audit = entries(conn, action="replay")
    assert no_reason.exit_code == 2 and "--reason is required" in no_reason.output
    assert nothing.exit_code == 2 and "say which dead letters" in nothing.output
    assert dry.exit_code == 0 and "dry run, nothing changed" in dry.output
    assert f"3 to send via {broker[1]}.out -> alpha" in dry.output
    assert declined.exit_code == 1 and "Aborted" in declined.output
    assert done.exit_code == 0, done.output
    assert "3 sent" in done.output
    counts = Counter(d["message_id"] for d in alpha.docs())
    assert len(counts) == 3 and set(counts.values()) == {1}
    assert "no open dead letters match" in open_after.output
    docs = json.loads(replayed.output)
    assert [d["replay_count"] for d in docs] == [1, 1, 1]
    assert second.exit_code == 0 and "nothing to replay" in second.output
    assert "--again" in second.output
    assert len(audit) == 3 and {a.reason for a in audit} == {REASON}


def test_discard_then_replay_skips_the_discarded(tmp_path):
    with _hub(tmp_path, n=2) as (gridhub, hub, _, _cases):
        first, second = (dl.id for dl in hub.store.dead_letters())
        dry = gridhub("dlq", "discard", str(first), "--dry-run")
        done = gridhub("dlq", "discard", str(first), "--reason", "test case, void", "--yes")
        skipped = gridhub("dlq", "replay", str(first), "--dry-run", "--json")
        status_of = {dl.id: dl.status for dl in hub.store.dead_letters(status=None)}
    assert dry.exit_code == 0 and "1 to discard" in dry.output
    assert done.exit_code == 0 and "1 discarded" in done.output
    assert status_of == {first: "discarded", second: "open"}
    [item] = json.loads(skipped.output)["items"]
    assert item["action"] == "skip" and item["why"] == "already discarded"


def test_trace_by_gsrn_shows_hops_status_and_open_dead_letters(tmp_path):
    with _hub(tmp_path, n=1) as (gridhub, hub, _, cases):
        gsrn = cases[0].facilities[0].facility_id.reveal()
        text = gridhub("trace", gsrn)
        doc = json.loads(gridhub("trace", gsrn, "--json").output)
        unknown = gridhub("trace", "735999000000000017")
        [dl] = hub.store.dead_letters()
    assert text.exit_code == 0
    lines = text.output.splitlines()
    # The case.submitted's three hops, and the on-hold mark's two (received, unrouted).
    assert lines[0] == f"trace of {gsrn}: 1 case(s), 5 hop(s)"
    for hop_name in ("received", "routed", "dead-lettered", "unrouted"):
        assert any(f" {hop_name} " in line for line in lines)
    assert any("elsmart -> alpha" in line for line in lines)
    assert f"case {cases[0].case_id}: submitted" in text.output
    assert f"dead letter  {dl.id} at alpha" in text.output
    assert doc["cases"][0]["status"] == "submitted" and len(doc["hops"]) == 5
    assert "on_hold" in doc["cases"][0]["flags"]
    assert unknown.exit_code == 1 and "nothing known" in unknown.output


def test_trace_shows_the_replay_by_whom_and_why_before_the_delivery(tmp_path):
    with _hub(tmp_path, n=1) as (gridhub, _h, alpha, cases):
        alpha.state.fail_always = None
        gridhub("dlq", "replay", "--all", "--reason", REASON, "--yes")
        wait_until(lambda: alpha.docs(), what="the replayed delivery")
        wait_until(lambda: "delivered" in gridhub("trace", cases[0].case_id).output,
                   what="the delivery in the trace")
        text = gridhub("trace", cases[0].case_id).output
    hops = [line.split()[2] for line in text.splitlines()
            if line.startswith("20") and "case.sidetrack.updated" not in line]
    assert hops == ["received", "routed", "dead-lettered", "replayed", "delivered"]
    [replayed] = [line for line in text.splitlines() if " replayed " in line]
    assert "ops -> alpha" in replayed and "maria.holm@drift" in replayed


def test_status_pause_and_resume(tmp_path):
    with _hub(tmp_path, n=1) as (gridhub, _h, _, _cases):
        paused = gridhub("pause", "alpha", "--reason", "alpha maintenance until 04:00")
        again = gridhub("pause", "alpha", "--reason", "again")
        typo = gridhub("pause", "alpah", "--reason", "x")
        shown = gridhub("status")
        doc = json.loads(gridhub("status", "--json").output)
        resumed = gridhub("resume", "alpha", "--reason", "maintenance done")
        after = json.loads(gridhub("status", "--json").output)
    assert paused.exit_code == 0 and "paused alpha" in paused.output
    assert "already paused since" in again.output and "maria.holm@drift" in again.output
    assert typo.exit_code == 2 and "known: alpha" in typo.output
    assert shown.exit_code == 0
    queue_lines = [ln for ln in shown.output.splitlines() if "gridhub.out.alpha" in ln]
    assert queue_lines and queue_lines[0].split()[1] == "0"
    assert "dead letters: 1 open in 1 group(s)" in shown.output
    assert "alpha maintenance until 04:00" in shown.output
    [conn] = doc["connectors"]
    assert conn["name"] == "alpha" and conn["reachable"] is True and conn["paused"]
    assert {q["name"] for q in doc["queues"]} == {"gridhub.hub.in", "gridhub.out.alpha"}
    assert resumed.exit_code == 0 and "alpha resumed" in resumed.output
    assert after["connectors"][0]["paused"] is None


def test_an_unreachable_store_is_one_line_and_exit_1(tmp_path):
    env = {"GRIDHUB_STORE_URL": "postgresql+psycopg://nobody:pw@127.0.0.1:1/gridhub",
           "GRIDHUB_ROUTES": str(tmp_path / "routes.yaml")}
    result = CliRunner().invoke(gridhub_group(), ["dlq", "list"], env=env)
    assert result.exit_code == 1
    assert result.output.startswith("error: store postgresql+psycopg://nobody:***@")
    assert "Traceback" not in result.output and "pw@" not in result.output


@pytest.mark.parametrize("args", [["dlq", "list"], ["status"]])
def test_invalid_settings_exit_3(args):
    result = CliRunner().invoke(gridhub_group(), args, env={"GRIDHUB_NAMESPACE": "Bad Name!"})
    assert result.exit_code == 3 and "invalid settings" in result.output
