"""Issue 15 item 14: the P0 documentation a completion notice carries is checked per
installation kind (seed 003 "P0 avtalen - Krav til dokumentasjon"); a completion without what
its kind requires is rejected with a note naming what is missing."""

from __future__ import annotations

from hub.demo.cases import norwegian_case, swedish_case
from schemas.codes import DocumentKind
from tests.flows.conftest import in_handler_queue, portal, work_until


def _approved(d, case):
    d.known_to_kis(case)
    d.installer.submit(case)
    d.wait_for(lambda: in_handler_queue(d, case.case_id), f"{case.case_id} in the queue")
    d.handler.approve(case.case_id)
    d.wait_status(case.case_id, "approved")


def test_item14_completion_without_the_p0_documentation_is_rejected_naming_what_is_missing(d):
    case = norwegian_case(51)  # a new installation: sluttkontroll, samsvarserklæring, photos
    _approved(d, case)
    d.installer.complete(case, documents=[DocumentKind.final_check])
    d.wait_status(case.case_id, "completion_rejected")
    note = d.wait_for(lambda: [n for n in portal(d, case.case_id).get("notes", [])
                               if n["subject"] == "Dokumentasjon mangler i ferdigmeldingen"],
                      "the rejection note in the portal")[-1]
    assert note["text"] == ("Ferdigmeldingen mangler: samsvarserklæring, bildedokumentasjon. "
                            "Legg ved det som mangler og send på nytt.")
    assert note["author"] == "Sørlandsnett AS"
    assert not in_handler_queue(d, case.case_id)  # back with the installer, not for review

    d.installer.complete(case)  # resent with every document: reviewed by a person
    d.wait_for(lambda: in_handler_queue(d, case.case_id), "the documented completion queued")

    # A fuse change needs only the samsvarserklæring; the Swedish grid owner requires none.
    fuse = norwegian_case(52, installation_type="fuse_change", job_type="fuse_upgrade",
                          main_fuse_a=35)
    swedish = swedish_case(53)
    for other in (fuse, swedish):
        _approved(d, other)
    d.installer.complete(fuse, documents=[DocumentKind.declaration_of_conformity])
    d.installer.complete(swedish, documents=[])
    for other in (fuse, swedish):
        d.wait_for(lambda c=other: in_handler_queue(d, c.case_id),
                   f"{other.case_id}'s completion queued")
    assert not d.store.dead_letters()


def test_item14_the_documentation_is_routed_to_nis_with_the_installation(d):
    case = norwegian_case(54)
    gsrn = case.facilities[0].facility_id.reveal()
    _approved(d, case)
    d.installer.complete(case)  # sluttkontroll, samsvarserklæring, photo
    d.wait_for(lambda: in_handler_queue(d, case.case_id), "the completion queued")
    d.handler.approve_completion(case.case_id)
    work_until(d, case.case_id, "archived")
    registered = d.wait_for(lambda: d.world.nis.state.installations.get(gsrn),
                            "the installation in NIS")
    assert [doc["kind"] for doc in registered["documents"]] == [
        "SLUTKONTROLL", "OVERENSSTAMMELSE", "FOTO"]
    assert registered["documents"][0]["name"] == f"sluttkontroll-{case.reference}.pdf"
    assert not d.store.dead_letters()
