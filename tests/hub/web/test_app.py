"""The web app over HTTP (urllib, a real uvicorn): login, CSRF, tokens, machine endpoints."""

from __future__ import annotations

import json

from hub.access import Role
from tests.hub.web.client import Client
from tests.hub.web.conftest import FAILED, PASSWORD


def test_only_the_probes_answer_without_login_and_say_only_up_or_down(shared_web_hub):
    anonymous = Client(shared_web_hub.url)
    status, _, body = anonymous.request("/healthz")
    assert status == 200 and json.loads(body) == {"status": "ok"}
    status, _, body = anonymous.request("/readyz")
    assert status == 200 and json.loads(body) == {"status": "ready"}
    bad_token = Client(shared_web_hub.url, token="ghk_0123456789abcdef_nope")
    assert json.loads(bad_token.request("/readyz")[2]) == {"status": "ready"}
    machine = Client(shared_web_hub.url, token=shared_web_hub.access.create_token(
        "kubelet-detail", [Role.viewer], by="test"))
    status, _, body = machine.request("/healthz")
    assert status == 200 and {"pid", "uptime_s"} <= set(json.loads(body))
    status, _, body = machine.request("/readyz")
    assert status == 200 and json.loads(body)["broker"] == {"ok": True}
    status, headers, _ = anonymous.request("/groups?connector=alpha")
    assert status == 303 and headers["location"] == "/login?next=%2Fgroups%3Fconnector%3Dalpha"
    for path in ("/metrics", "/api/status", "/api/groups"):
        status, headers, body = anonymous.request(path)
        assert status == 401, path
        assert headers["www-authenticate"].startswith("Bearer")
    assert Client(shared_web_hub.url, token="gh_not-a-token").request("/api/groups")[0] == 401


def test_a_token_reads_metrics_readiness_and_json_with_personal_data_masked(shared_web_hub):
    token = shared_web_hub.access.create_token("prometheus", [Role.viewer], by="test")
    machine = Client(shared_web_hub.url, token=token)
    status, headers, body = machine.request("/metrics")
    assert status == 200 and headers["content-type"].startswith("text/plain")
    [group] = shared_web_hub.hub.store.dead_letter_groups()
    [line] = [x for x in body.splitlines()
              if x.startswith("gridhub_dead_letters_open{")
              and f'group="{group.fingerprint}"' in x]
    assert line.endswith(f" {FAILED}.0"), line
    status, _, body = machine.request("/readyz")
    assert status == 200 and json.loads(body)["status"] == "ready"
    status, _, body = machine.request("/api/groups?connector=alpha")
    assert status == 200 and [(g["fingerprint"], g["count"]) for g in json.loads(body)] == [
        (group.fingerprint, FAILED)]
    assert json.loads(machine.request("/api/groups?connector=kis")[2]) == []
    [dl, *_] = shared_web_hub.hub.store.dead_letters()
    status, _, body = machine.request(f"/api/dead-letters/{dl.id}")
    doc = json.loads(body)
    assert status == 200 and doc["masked"] is True
    assert doc["message"]["payload"]["property_owner"]["personal_number"] == "5***"
    status, _, body = machine.request("/api/trace?key=" + shared_web_hub.cases[0].case_id)
    assert status == 200 and "dead-lettered" in {h["hop"] for h in json.loads(body)["hops"]}


def test_replay_through_the_api_needs_the_operator_role_and_a_reason(shared_web_hub):
    [group] = shared_web_hub.hub.store.dead_letter_groups()
    viewer = Client(shared_web_hub.url, token=shared_web_hub.access.create_token(
        "dashboards", [Role.viewer], by="test"))
    ask = {"group": group.fingerprint, "reason": "target fixed"}
    status, _, body = viewer.request("/api/replay", json_body=ask)
    assert status == 403 and "may not replay" in json.loads(body)["error"]
    operator = Client(shared_web_hub.url, token=shared_web_hub.access.create_token(
        "runbook", [Role.operator], by="test"))
    status, _, body = operator.request("/api/replay", json_body={**ask, "dry_run": True})
    plan = json.loads(body)
    assert status == 200 and plan["dry_run"] and len(plan["items"]) == FAILED
    status, _, body = operator.request("/api/replay", json_body={"group": group.fingerprint})
    assert status == 400 and "reason" in json.loads(body)["error"]
    store = shared_web_hub.hub.store
    assert [d.status for d in store.dead_letters(status=None)] == ["open"] * FAILED


def test_forms_need_the_sessions_csrf_token(web_hub):
    [group] = web_hub.hub.store.dead_letter_groups()
    browser = Client(web_hub.url)
    assert browser.log_in("maria") == 303
    form = {"fingerprint": group.fingerprint, "reason": "fixed", "mode": "run"}
    status, _, body = browser.request("/actions/discard", form)
    assert status == 403 and "CSRF" in body
    status, _, body = browser.request("/actions/discard", {**form, "csrf_token": "stale"})
    assert status == 403
    assert [d.status for d in web_hub.hub.store.dead_letters(status=None)] == ["open"] * FAILED
    token = browser.csrf(f"/groups/{group.fingerprint}")
    status, headers, _ = browser.request("/actions/discard", {**form, "csrf_token": token})
    assert status == 303 and headers["location"].startswith("/jobs/")
    job = headers["location"]
    from tests.support.hubrun import wait_until

    wait_until(lambda: 'id="job-state" class="ok">done' in browser.request(job)[2],
               what="the discard job")
    assert [d.status for d in web_hub.hub.store.dead_letters(status=None)] == [
        "discarded"] * FAILED


def test_a_wrong_password_is_refused_and_a_login_form_needs_its_token(shared_web_hub):
    browser = Client(shared_web_hub.url)
    status, _, body = browser.request("/login", {"username": "maria", "password": "fel",
                                                 "csrf_token": browser.csrf()})
    assert status == 401 and "password" in body.lower()
    status, _, _ = browser.request("/login", {"username": "maria", "password": PASSWORD})
    assert status == 403
    assert browser.request("/")[0] == 303  # still not logged in
    assert browser.log_in("maria") == 303
    assert browser.request("/")[0] == 200
    status, _, _ = browser.request("/logout", {"csrf_token": browser.csrf("/")})
    assert status == 303 and browser.request("/")[0] == 303


def test_login_redirects_only_to_paths_on_this_site(shared_web_hub):
    browser = Client(shared_web_hub.url)
    status, headers, _ = browser.request("/login", {
        "username": "maria", "password": PASSWORD, "csrf_token": browser.csrf(),
        "next": "//evil.example/steal"})
    assert status == 303 and headers["location"] == "/"


def test_every_page_renders_for_an_operator_including_empty_and_bad_input(shared_web_hub):
    [dl, *_] = shared_web_hub.hub.store.dead_letters()
    browser = Client(shared_web_hub.url)
    assert browser.log_in("maria") == 303
    gsrn = dl.keys["gsrn"][0]
    expect = {
        "/": (200, "Failure groups"),
        "/groups?key=" + gsrn: (200, dl.fingerprint),
        "/groups?key=735999000000000000": (200, "No open dead letters match"),
        "/groups?since=yesterday": (400, "since: "),
        f"/groups/{dl.fingerprint}?type=case.submitted": (200, f">{FAILED}</b>"),
        "/groups/000000000000": (200, "No open dead letters in this group"),
        "/dead-letters?status=any&connector=alpha": (200, f'href="/dead-letters/{dl.id}"'),
        "/dead-letters?status=discarded": (200, "No discarded dead letters"),
        f"/dead-letters/{dl.id}": (200, "personal data masked"),
        "/dead-letters/999999": (404, "no dead letter 999999"),
        "/trace": (200, "Case trace"),
        f"/trace?key={gsrn}": (200, dl.case_id),
        "/trace?key=nothing-here": (200, "Nothing known about nothing-here"),
        "/jobs/4711": (404, "no job 4711"),
    }
    for path, (status, text) in expect.items():
        got, _, html = browser.request(path)
        assert (got, text in html) == (status, True), f"{path}: {got} {html[:300]}"
    token = browser.csrf("/")
    status, _, html = browser.request("/actions/replay", {"csrf_token": token,
                                                          "key": "735999000000000000"})
    assert status == 200 and "nothing: no matching open dead letters" in html
    status, _, html = browser.request("/actions/replay", {"csrf_token": token})
    assert status == 400 and "say which dead letters" in html
    status, _, html = browser.request("/actions/replay", {"csrf_token": token, "mode": "run",
                                                          "ids": [dl.id], "reason": " "})
    assert status == 400 and "reason is required" in html


def test_an_operator_parks_and_resumes_a_connector_with_a_reason(web_hub):
    from hub.ops.db import reading
    from hub.ops.pause import pauses

    browser = Client(web_hub.url)
    assert browser.log_in("olle") == 303  # a viewer: no buttons, and refused
    token = browser.csrf("/")
    assert "/connectors/alpha/pause" not in browser.request("/")[2]
    status, _, _ = browser.request("/connectors/alpha/pause", {"csrf_token": token,
                                                               "reason": "x"})
    assert status == 403
    operator = Client(web_hub.url)
    assert operator.log_in("maria") == 303
    token = operator.csrf("/")
    form = {"csrf_token": token, "reason": "alpha down for maintenance 03:00-04:00"}
    assert operator.request("/connectors/nosuch/pause", form)[0] == 400
    assert operator.request("/connectors/alpha/pause", form)[0] == 303
    with reading(web_hub.hub.store) as conn:
        [paused] = pauses(conn).values()
    assert (paused.connector, paused.paused_by) == ("alpha", "maria")
    assert "/connectors/alpha/resume" in operator.request("/")[2]
    assert operator.request("/connectors/alpha/resume", form)[0] == 303
    with reading(web_hub.hub.store) as conn:
        assert pauses(conn) == {}


def test_a_role_revoked_during_a_session_ends_it_and_says_so(web_hub):
    browser = Client(web_hub.url)
    assert browser.log_in("maria") == 303
    assert browser.request("/")[0] == 200
    web_hub.access.revoke("maria", Role.operator, by="admin")
    status, headers, _ = browser.request("/groups")
    assert status == 303 and headers["location"].startswith("/login")
    status, _, html = browser.request(headers["location"])
    assert status == 200 and 'id="login-error"' in html and "access revoked" in html
