"""The dashboard in a real browser (Debian's Chromium via Playwright) against a real hub."""

from __future__ import annotations

from playwright.sync_api import expect

from hub.access import Role
from hub.ops.audit import entries
from hub.ops.db import reading
from tests.factories import make_personnummer
from tests.hub.web.conftest import DELIVERED, FAILED, grant_long_ago, log_in
from tests.support.hubrun import wait_until

# docs/ shows a real run's pages (scripts/screenshots); this test's picture stays in tmp_path.
REASON = "alpha refused everything (bad certificate); renewed 03:10"


def test_operator_replays_a_failure_group_and_the_trace_shows_it(web_hub, page, tmp_path):
    store = web_hub.hub.store
    [group] = store.dead_letter_groups()
    log_in(page, web_hub.url, "maria")
    page.wait_for_selector("#verdict")
    assert page.inner_text("#open-dead-letters") == str(FAILED)
    assert group.fingerprint in page.inner_text("#groups")
    assert "DOWN" not in page.inner_text("#connectors")
    shot = tmp_path / "dashboard.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000  # a rendered page, not a blank one

    page.click(f"a[href='/groups/{group.fingerprint}']")
    assert page.inner_text("#group-count") == str(FAILED)
    page.click("#dry-run")
    assert f"{FAILED} to send via gridhub.out -> alpha" in page.inner_text("#plan-summary")
    assert [dl.status for dl in store.dead_letters(status=None)] == ["open"] * FAILED

    # The form's script runs under the CSP (by its nonce): no reason, no replay.
    seen: list[str] = []
    page.once("dialog", lambda d: (seen.append(d.message), d.dismiss()))
    page.click("#replay")
    assert seen == ["A reason is required"] and page.is_visible("#plan-summary")

    web_hub.alpha.state.fail_always = None  # the target is healthy again
    page.fill("input[name=reason]", REASON)
    page.click("#replay")
    # A locator, not wait_for_function: the page's CSP (rightly) refuses eval'd scripts.
    expect(page.locator("#job-state")).to_have_text("done")
    assert page.inner_text("#job-progress") == f"{FAILED}/{FAILED}"
    wait_until(lambda: len(web_hub.alpha.docs()) == DELIVERED + FAILED,
               what="the replayed deliveries")

    page.goto(f"{web_hub.url}/groups")
    assert page.is_visible("#no-groups")
    case_id = web_hub.cases[0].case_id
    page.goto(f"{web_hub.url}/trace?key={case_id}")
    wait_until(lambda: "delivered" in _hops(page, web_hub.url, case_id),
               what="the delivered hop in the trace page")
    hops = _hops(page, web_hub.url, case_id)
    assert hops.index("dead-lettered") < hops.index("replayed") < hops.index("delivered")
    with reading(store) as conn:
        audit = entries(conn, action="replay")
    assert {(a.actor, a.reason) for a in audit} == {("maria", REASON)}
    assert len(audit) == FAILED


def _hops(page, url, case_id):
    page.goto(f"{url}/trace?key={case_id}")
    # the hops are folded (details): read their text, shown or not
    return [cell.text_content() for cell in page.query_selector_all(".timeline td:nth-child(2)")]


def test_a_viewer_sees_masked_personal_numbers_and_no_replay_button(web_hub, page):
    [group] = web_hub.hub.store.dead_letter_groups()
    [dl, *_] = web_hub.hub.store.dead_letters()
    log_in(page, web_hub.url, "olle")
    page.goto(f"{web_hub.url}/groups/{group.fingerprint}")
    assert page.is_visible("#read-only")
    assert page.query_selector("#replay") is None and page.query_selector("#discard") is None
    page.goto(f"{web_hub.url}/dead-letters/{dl.id}")
    message = page.inner_text("#message")
    personnummer = str(make_personnummer(60).reveal())
    assert '"personal_number": "5***"' in message
    assert personnummer not in page.content()
    assert page.query_selector("#reveal") is None  # no personal-data permission either


def test_an_operator_with_the_permission_may_reveal_personal_data_audited(web_hub, page):
    web_hub.access.allow_personal_data("maria", True, by="test")
    [dl, *_] = web_hub.hub.store.dead_letters()
    log_in(page, web_hub.url, "maria")
    page.goto(f"{web_hub.url}/dead-letters/{dl.id}")
    assert str(make_personnummer(60).reveal()) not in page.inner_text("#message")
    page.fill("form[action$='/reveal'] input[name=reason]", "customer called about SE-1060")
    page.click("#reveal")
    assert str(make_personnummer(60).reveal()) in page.inner_text("#message")
    with reading(web_hub.hub.store) as conn:
        [seen] = entries(conn, action="reveal")
    assert (seen.actor, seen.dead_letter_id) == ("maria", dl.id)


def test_a_user_whose_roles_all_expired_is_refused_with_the_reason(web_hub, page):
    grant_long_ago(web_hub.hub.store, "kalle", Role.operator, days=400)
    log_in(page, web_hub.url, "kalle")
    error = page.inner_text("#login-error")
    assert "expired" in error and "renew" in error
    assert page.url.startswith(f"{web_hub.url}/login")
    page.goto(f"{web_hub.url}/")
    assert page.url.startswith(f"{web_hub.url}/login")  # still not let in


def test_a_role_expiring_soon_is_shown_to_the_user_and_to_admins(web_hub, page):
    grant_long_ago(web_hub.hub.store, "lisa", Role.viewer, days=350)
    web_hub.access.add_user("admin", "admin lösenord 123", by="test")
    web_hub.access.grant("admin", Role.admin, by="test")
    log_in(page, web_hub.url, "lisa")
    assert "lisa" in page.inner_text(".expiry") and "ask an admin" in page.inner_text(".expiry")
    page.context.clear_cookies()
    log_in(page, web_hub.url, "admin", "admin lösenord 123")
    assert "gridhub users renew lisa viewer" in page.inner_text(".expiry")
    page.context.clear_cookies()
    log_in(page, web_hub.url, "maria")
    assert page.query_selector(".expiry") is None  # not maria's, and maria is no admin
