"""The case page answers a handler's questions first (where is my case, what is it waiting for,
since when), in the case's language, with the technical hops folded below; on a real demo
run's hub in Debian's Chromium."""

from __future__ import annotations

from hub.ops.pause import pause, resume
from tests.factories import swedish_case
from tests.hub.web.conftest import log_in
from tests.support.hubrun import wait_until

REASON = "portalen uppgraderas 14:00-15:00"


def test_a_swedish_case_waiting_for_a_handler_and_a_paused_connector(showcase, page):
    d = showcase.driver
    resume(d.store, "kis", actor="test", reason="the layout test paused it")
    pause(d.store, "elsmart", actor="maria.holm", reason=REASON)
    try:
        case = swedish_case(77)  # a new installation: no rule approves it, a person decides
        d.known_to_kis(case)
        d.installer.submit(case)
        wait_until(lambda: case.case_id in d.handler.waiting(), what="the handler queue")
        wait_until(lambda: any(w.destination == "elsmart" for c in _trace(d, case.case_id)
                               for w in c.waiting), what="a message held for elsmart")
        log_in(page, showcase.url, showcase.user, showcase.password)
        page.goto(f"{showcase.url}/trace?key={case.case_id}")
        story = page.locator(f"#story-{case.case_id}")
        assert story.get_attribute("lang") == "sv"
        assert "För godkännande" in story.locator("h2").inner_text()
        waits = story.locator("ul.waits").inner_text()
        assert "En handläggare i handläggarkön: föranmälan ska godkännas" in waits
        assert f"En pausad koppling: elsmart pausades av maria.holm ({REASON})" in waits
        assert waits.count("sedan") >= 2  # since when, for each
        events = story.locator("ol.story-timeline").inner_text().splitlines()
        assert any("För godkännande" in e and "installatören (Elsmart)" in e for e in events)
        assert any("Beredning: Till beredning" in e for e in events)
        assert "case.submitted" not in story.inner_text()  # no message type where a person reads
        # the hops are there, folded: shown only when asked for
        assert not page.is_visible("table.timeline")
        page.click("#hops summary")
        assert page.is_visible("table.timeline")
    finally:
        resume(d.store, "elsmart", actor="test", reason="test over")


def test_an_archived_norwegian_case_in_bokmal(showcase, page):
    archived = [p.case_id for p in showcase.played.plans if p.case_id.startswith("NO-")
                and showcase.driver.status(p.case_id) == "archived"]
    assert archived, "the demo archives a Norwegian case"
    log_in(page, showcase.url, showcase.user, showcase.password)
    page.goto(f"{showcase.url}/trace?key={archived[0]}")
    story = page.locator(f"#story-{archived[0]}")
    assert story.get_attribute("lang") == "nb"
    assert "Arkivert" in story.locator("h2").inner_text()
    assert "Ingenting: saken er Arkivert." in story.locator("ul.waits").inner_text()
    assert "Venter på" in story.inner_text() and "Historikk" in story.inner_text()
    events = story.locator("ol.story-timeline").inner_text().splitlines()
    statuses = [e for e in events if "Arkivert" in e or "Ferdigmelding" in e]
    assert statuses and "Arkivert" in statuses[-1]  # in order: archived last
    assert not any("Arkiverad" in e or "Väntar" in e for e in events)  # no Swedish


def _trace(driver, case_id):
    from hub.ops.casetrace import case_trace

    return case_trace(driver.store, case_id).cases
