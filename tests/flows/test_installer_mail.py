"""Issue 15 item 13: the installer company chooses its e-mails per status in the portal (seed
000 §11 "Sändning aktiverad", §15 "välj vilka status som ska generera ett meddelande"); the
choice comes with the company's data on every case, not from routes.yaml."""

from __future__ import annotations

from hub.demo.cases import norwegian_case, swedish_case
from schemas.case import MailChoice
from tests.flows.conftest import in_handler_queue, mails_to


def _with_choice(case, choice: MailChoice):
    company = case.installer_company.model_copy(update={"mail": choice})
    return case.model_copy(update={"installer_company": company})


def _delivered_to_notify(d, case_id: str, message_type: str) -> bool:
    return any(t.hop == "delivered" and t.target == "notify" and t.type == message_type
               for t in d.store.trace(case_id))


def test_item13_the_installer_company_chooses_its_mails_in_the_portal(d):
    # Bollérud chose only "Avbruten" in the portal; Elisør turned sending off.
    only_cancelled = _with_choice(swedish_case(41), MailChoice(
        approved=False, pre_rejected=False, completion_rejected=False, cancelled=True))
    silent = _with_choice(norwegian_case(42), MailChoice(enabled=False))
    everything = swedish_case(43)  # a portal that sends no choice: every status is mailed
    for case in (only_cancelled, silent, everything):
        d.known_to_kis(case)
        d.installer.submit(case)
    for case in (only_cancelled, silent, everything):
        d.wait_for(lambda c=case: in_handler_queue(d, c.case_id), f"{case.case_id} queued")
    d.handler.reject(only_cancelled.case_id)
    d.handler.approve(silent.case_id)
    d.handler.approve(everything.case_id)
    d.wait_for(lambda: mails_to(d, everything.installer.email), "the default approval mail")
    d.wait_for(lambda: _delivered_to_notify(d, only_cancelled.case_id, "case.rejected"),
               "notify handled the rejection")
    d.wait_for(lambda: _delivered_to_notify(d, silent.case_id, "case.approved"),
               "notify handled the approval")
    assert mails_to(d, only_cancelled.installer.email) == []  # not chosen: no mail
    assert mails_to(d, silent.installer.email) == []

    d.installer.cancel(only_cancelled.case_id)
    [mail] = d.wait_for(lambda: mails_to(d, only_cancelled.installer.email),
                        "the cancellation mail the company chose")
    assert "avbrutet" in mail["subject"]
    d.installer.cancel(silent.case_id)
    d.wait_for(lambda: _delivered_to_notify(d, silent.case_id, "case.cancelled"),
               "notify handled the cancellation")
    assert mails_to(d, silent.installer.email) == []
    assert not d.store.dead_letters()
