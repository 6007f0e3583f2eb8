"""Personal numbers written with separators are masked on the pages and in the API; the API
reveals a dead letter only with a reason, audited, like the page and the CLI."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from hub.access import Role
from hub.ops.audit import entries
from hub.ops.db import reading
from tests.hub.web.client import Client

SE_SPACE, SE_DASH = "821208 6964", "821208\u20136964"
NO_DASH, NO_SPACE = "091053-16574", "091053 16574"
WRITTEN = (SE_SPACE, SE_DASH, NO_DASH, NO_SPACE)


@pytest.fixture(scope="module")
def noted(shared_web_hub: Any) -> int:
    """A dead letter whose note and error carry personal numbers written with separators."""
    store = shared_web_hub.hub.store
    [original, *_] = store.dead_letters()
    body = json.loads(original.body)
    body["payload"]["notes"] = [{"text": f"Ägare {SE_SPACE}, betalare {SE_DASH}"},
                                {"text": f"eier {NO_DASH} / {NO_SPACE}"}]
    copy = dataclasses.replace(original, id=None, created_at=None,
                               body=json.dumps(body, ensure_ascii=False).encode(),
                               exception_message=f"refused: owner {SE_SPACE} / {NO_DASH}")
    with store.transaction() as tx:
        [dl_id] = tx.add_dead_letters([copy])
    return dl_id


def test_a_viewer_sees_every_written_form_masked_on_the_page_and_in_the_api(
        shared_web_hub, noted):
    viewer = Client(shared_web_hub.url)
    assert viewer.log_in("olle") == 303
    status, _, html = viewer.request(f"/dead-letters/{noted}")
    assert status == 200
    status, _, api = viewer.request(f"/api/dead-letters/{noted}")
    assert status == 200
    for shown in (html, api):
        for written in WRITTEN:
            assert written not in shown
    assert "82xxxx xx64" in html and "09xxxx-xxx74" in html
    doc = json.loads(api)
    assert doc["masked"] is True and "09xxxx-xxx74" in doc["exception_message"]


def test_the_api_masks_even_for_the_permitted_and_reveals_only_with_a_reason(
        shared_web_hub, noted):
    access = shared_web_hub.access
    permitted = Client(shared_web_hub.url, token=access.create_token(
        "case-desk", [Role.viewer], personal_data=True, by="test"))
    status, _, body = permitted.request(f"/api/dead-letters/{noted}")
    assert status == 200 and json.loads(body)["masked"] is True
    assert SE_SPACE not in body and NO_DASH not in body
    status, _, body = permitted.request(f"/api/dead-letters/{noted}/reveal", json_body={})
    assert status == 400 and "reason" in json.loads(body)["error"]
    reason = "customer asked which personal number we hold (ticket 4711)"
    status, headers, body = permitted.request(f"/api/dead-letters/{noted}/reveal",
                                              json_body={"reason": reason})
    assert status == 200, body
    doc = json.loads(body)
    assert doc["masked"] is False and SE_SPACE in json.dumps(doc, ensure_ascii=False)
    assert headers["cache-control"] == "no-store"
    with reading(shared_web_hub.hub.store) as conn:
        [row] = entries(conn, dead_letter_id=noted, action="reveal")
    assert (row.actor, row.reason, row.detail) == ("case-desk", reason, {"via": "api"})


def test_reveal_needs_the_personal_data_permission(shared_web_hub, noted):
    plain = Client(shared_web_hub.url, token=shared_web_hub.access.create_token(
        "wallboard", [Role.operator], by="test"))
    status, _, body = plain.request(f"/api/dead-letters/{noted}/reveal",
                                    json_body={"reason": "curious"})
    assert status == 403 and "see_personal_data" in json.loads(body)["error"]
