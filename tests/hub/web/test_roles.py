"""A viewer with a valid session and CSRF token still may not replay, discard or steer a job
through the web forms: the role check, not the token, refuses it (issue 20)."""

from __future__ import annotations

import json

from hub.access import Role
from tests.hub.web.client import Client

REASON = "a viewer trying it"


def test_a_viewer_is_refused_by_the_replay_and_discard_forms(shared_web_hub):
    store = shared_web_hub.hub.store
    [group] = store.dead_letter_groups()
    before = [(d.id, d.status, d.replay_count) for d in store.dead_letters(status=None)]
    viewer = Client(shared_web_hub.url)
    assert viewer.log_in("olle") == 303
    csrf = viewer.csrf(f"/groups/{group.fingerprint}")
    for operation in ("replay", "discard"):
        for mode in ("run", "dry-run"):
            status, _, html = viewer.request(f"/actions/{operation}", {
                "csrf_token": csrf, "fingerprint": group.fingerprint, "reason": REASON,
                "mode": mode})
            assert status == 403, (operation, mode, status)
            assert f"olle may not {operation}" in html
    assert [(d.id, d.status, d.replay_count) for d in store.dead_letters(status=None)] == before


def test_a_viewer_cannot_pause_resume_or_stop_a_job(shared_web_hub):
    operator = Client(shared_web_hub.url, token=shared_web_hub.access.create_token(
        "runbook-jobs", [Role.operator], by="test"))
    status, _, body = operator.request("/api/discard", json_body={
        "ids": [999_999], "reason": "nothing to discard: a job for the test"})
    assert status == 202, body
    job_id = json.loads(body)["job"]
    viewer = Client(shared_web_hub.url)
    assert viewer.log_in("olle") == 303
    csrf = viewer.csrf("/")
    for command in ("pause", "resume", "stop"):
        status, _, html = viewer.request(f"/jobs/{job_id}/{command}", {"csrf_token": csrf})
        assert status == 403, (command, status)
        assert "olle may not replay" in html
    status, _, body = operator.request(f"/api/jobs/{job_id}")
    assert status == 200 and json.loads(body)["state"] == "done"  # not stopped by the viewer
