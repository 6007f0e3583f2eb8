"""The case page's "why (not)?" (issue 18 item 3): a pasted message judged by every route
against the case as it stands, over HTTP."""

from __future__ import annotations

import html
from pathlib import Path

from hub.pipeline import _case_row
from schemas.projection import apply
from tests.factories import block_case, envelope
from tests.hub.web.client import Client

ROUTES = """\
version: 1
connectors:
  kis: {plugin: webhook, settings: {url: "http://127.0.0.1:9/kis"}}
routes:
  - name: big-fuse
    match:
      type: case.enriched
      where:
        - field: case.facilities
          any: [{field: main_fuse_a, gt: 25}]
    to: [kis]
"""


def test_the_trace_page_explains_a_message_against_the_case(web, tmp_path: Path):
    (tmp_path / "no-routes.yaml").write_text(ROUTES, encoding="utf-8")
    case = block_case(2, seed=12)
    case = case.model_copy(update={"facilities": [
        case.facilities[0].model_copy(update={"main_fuse_a": 16}),
        case.facilities[1].model_copy(update={"main_fuse_a": 50})]})
    with web.store.transaction() as tx:
        tx.save_cases([_case_row(apply(None, envelope("case.submitted", case)))])
    browser = Client(web.url)
    assert browser.log_in("maria") == 303
    token = browser.csrf(f"/trace?key={case.case_id}")
    message = envelope("case.enriched", case).model_dump_json()
    status, _, page = browser.request("/trace/explain", {
        "csrf_token": token, "case_id": case.case_id, "message": message})
    assert status == 200, page
    text = html.unescape(page)
    assert "APPLIES big-fuse (no-routes.yaml:" in text
    assert "yes main_fuse_a gt 25  (saw 50)" in text
    status, _, _ = browser.request("/trace/explain", {
        "csrf_token": "stale", "case_id": case.case_id, "message": message})
    assert status in (400, 403)
    status, _, page = browser.request("/trace/explain", {
        "csrf_token": token, "case_id": case.case_id, "message": '{"type": "nope"}'})
    assert status == 400 and "not a valid canonical message" in html.unescape(page)
