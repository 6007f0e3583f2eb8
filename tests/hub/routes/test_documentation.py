"""grid_owners: documentation (issue 15 item 14): what a completion must carry per
installation type, checked at load, and what the case view says a completion lacks."""

from __future__ import annotations

import pytest

from hub.routes import RoutesFileError, parse_routes
from hub.routes.documentation import documentation_view
from hub.routes.grid_owners import with_grid_owner
from tests.hub.routes.test_case_process_routing import ROUTES

NO_OWNER = ('"7070573217917": {name: Sørlandsnett AS, country: "NO", market: elhub, '
            'grid_area: 50Y73EMZ34CQL9AJ, documentation: %s}')


def _owners(documentation: str):
    text = ROUTES.split("grid_owners:")[0] + "grid_owners:\n  " + NO_OWNER % documentation + "\n"
    return parse_routes(text, env={}).grid_owners


def _case(*attachments: dict, installation_type: str = "new_installation") -> dict:
    return {"installation_type": installation_type, "attachments": list(attachments),
            "grid_owner": {"name": "Sørlandsnett AS", "gln": "7070573217917"}}


def _doc(kind: str, origin: str = "installer") -> dict:
    return {"name": f"{kind}.pdf", "kind": kind, "origin": origin}


def test_the_view_names_what_the_kind_requires_and_the_completion_lacks():
    owners = _owners("{new_installation: [final_check, declaration_of_conformity, photo], "
                     "fuse_change: [declaration_of_conformity]}")
    view = with_grid_owner(_case(_doc("final_check"), _doc("photo", origin="grid_owner")),
                           owners)
    assert view["documentation"]["missing"] == ["declaration_of_conformity", "photo"]
    assert view["documentation"]["text"] == (
        "Ferdigmeldingen mangler: samsvarserklæring, bildedokumentasjon. Legg ved det som "
        "mangler og send på nytt.")  # the grid owner's own photo does not count
    fuse = _case(_doc("declaration_of_conformity"), installation_type="fuse_change")
    assert with_grid_owner(fuse, owners)["documentation"] == {"missing": []}
    other = _case(installation_type="service_change")  # nothing listed: nothing required
    assert with_grid_owner(other, owners)["documentation"] == {"missing": []}


def test_swedish_note_is_in_swedish():
    required = {"new_installation": _owners("{new_installation: [final_check]}")
                ["7070573217917"].documentation["new_installation"]}
    view = documentation_view(_case(), required, "sv")
    assert view["text"] == ("Färdiganmälan saknar: slutkontroll. Bifoga det som saknas och "
                            "skicka på nytt.")


@pytest.mark.parametrize("documentation, error", [
    ("[final_check]", "documentation: documentation maps an installation type"),
    ("{new_house: [photo]}", "documentation.new_house: 'new_house' is not an installation type"),
    ("{new_installation: [selfie]}", "documentation.new_installation: a list of document kinds"),
])
def test_bad_documentation_is_named_with_its_key(documentation, error):
    with pytest.raises(RoutesFileError) as info:
        _owners(documentation)
    assert f"grid_owners.7070573217917.{error}" in str(info.value)
