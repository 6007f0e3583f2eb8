"""gridhub routes explain: every route's verdict for a message, each predicate's value seen
(issue 18 item 3); with --case against the case as it stands in the store."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from hub.cli import main
from hub.pipeline import _case_row
from hub.routes.explain import explain, render
from hub.store import Store
from schemas.projection import apply
from tests.factories import block_case, envelope
from tests.hub.routes.texts import doc, parse

RULE = """
- name: big-fuse-to-handler
  match:
    type: case.enriched
    where:
      - {field: payload.griddata.decision, eq: approved}
      - field: case.facilities
        any: [{field: main_fuse_a, gt: 25}]
  to: [kis]
- name: lookups
  match: {type: facility.lookup.requested}
  to: [kis]
"""


def _case(fuses: list[int]):
    case = block_case(len(fuses), seed=9)
    facilities = [f.model_copy(update={"main_fuse_a": fuse})
                  for f, fuse in zip(case.facilities, fuses, strict=True)]
    return case.model_copy(update={"facilities": facilities})


def test_each_predicate_shows_its_verdict_and_the_value_it_saw():
    table = parse(doc(RULE))
    case = _case([16, 35])
    env = envelope("case.enriched", case)
    view = case.model_dump(mode="json")
    [rule, lookups] = explain(table, env, view)
    assert rule.applies and not lookups.applies
    assert "takes facility.lookup.requested, not case.enriched" in lookups.why
    text = "\n".join(render([rule, lookups]))
    assert "1 of 2 routes apply; 1 takes this message type" in text
    assert 'yes payload.griddata.decision eq "approved"  (saw "approved")' in text
    assert "yes any of case.facilities  (saw 2 element(s), holds for: 1)" in text
    assert "NO  main_fuse_a gt 25  (saw 16)" in text
    assert "yes main_fuse_a gt 25  (saw 35)" in text
    assert "lookups" not in text  # another type: only with every_route


def test_without_the_case_a_case_path_is_missing_and_the_rule_does_not_apply():
    table = parse(doc(RULE))
    [rule, _] = explain(table, envelope("case.enriched", _case([63])), None)
    assert not rule.applies
    assert "NO  any of case.facilities  (saw missing)" in "\n".join(render([rule]))


def test_the_cli_reads_the_case_from_the_store(tmp_path: Path):
    case = _case([20, 40])
    store_url = f"sqlite:///{tmp_path / 'hub.db'}"
    store = Store(store_url)
    store.open()
    with store.transaction() as tx:
        tx.save_cases([_case_row(apply(None, envelope("case.submitted", case)))])
    store.close()
    routes = tmp_path / "routes.yaml"
    routes.write_text(doc(RULE), encoding="utf-8")
    message = tmp_path / "m.json"
    message.write_text(envelope("case.enriched", case).model_dump_json(), encoding="utf-8")
    runner = CliRunner()
    args = ["routes", "explain", str(message), "--routes", str(routes), "--store", store_url]
    result = runner.invoke(main, [*args, "--case", case.case_id])
    assert result.exit_code == 0, result.output
    assert "APPLIES big-fuse-to-handler (routes.yaml:" in result.output
    assert "yes main_fuse_a gt 25  (saw 40)" in result.output
    missing = runner.invoke(main, [*args, "--case", "SE-NOPE"])
    assert missing.exit_code == 1 and "no case 'SE-NOPE' in the store" in missing.output
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"type": "case.enriched"}), encoding="utf-8")
    invalid = runner.invoke(main, ["routes", "explain", str(bad), "--routes", str(routes)])
    assert invalid.exit_code == 4, invalid.output


EACH_RULE = """
- name: meter-job-per-big-facility
  match:
    type: case.approved
    where: {field: item.main_fuse_a, gt: 25}
  each: case.facilities
  emit:
    type: workorder.requested
    payload:
      kind: meter_new_installation
      gsrn: {from: item.facility_id}
      at: {from: occurred_at}
"""


def test_a_route_with_each_is_judged_per_element_as_the_router_does():
    table = parse(doc(EACH_RULE))
    case = _case([16, 35])
    [verdict] = explain(table, envelope("case.approved", case), case.model_dump(mode="json"))
    assert verdict.applies
    assert verdict.why == "emits for 1 of 2 element(s) of case.facilities"
    text = "\n".join(render([verdict]))
    assert "NO  item case.facilities.0" in text and "yes item case.facilities.1" in text
    assert "yes item.main_fuse_a gt 25  (saw 35)" in text
    [none] = explain(table, envelope("case.approved", case), None)
    assert not none.applies and "each: case.facilities is missing" in none.why
