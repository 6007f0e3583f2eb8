"""The documentation a grid owner requires with a completion notice, per installation kind.

    grid_owners:
      "7070573217917":
        documentation:                 # installation type -> the document kinds it requires
          new_installation: [final_check, declaration_of_conformity, photo]

Seed 003 ("P0 avtalen - Krav til dokumentasjon"): sluttkontroll, bildedokumentasjon
"avhengig av det enkelte produkt", samsvarserklæring. What a completion lacks is put in the
case view (``case.documentation.missing``, and ``.subject``/``.text``: a note naming what is
missing, in the grid owner's language) so a route can reject it with that note.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hub.routes.source import Issues, child
from schemas.codes import AttachmentOrigin, DocumentKind, InstallationType

Required = dict[str, tuple[DocumentKind, ...]]
_NOTE = {"sv": ("Dokumentation saknas i färdiganmälan",
                "Färdiganmälan saknar: {missing}. Bifoga det som saknas och skicka på nytt."),
         "nb": ("Dokumentasjon mangler i ferdigmeldingen",
                "Ferdigmeldingen mangler: {missing}. Legg ved det som mangler og send på nytt.")}


def parse_documentation(raw: Any, path: str, issues: Issues) -> Required:
    """installation type -> required kinds; every problem recorded with its key path."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        issues.add(path, "documentation maps an installation type to a list of document kinds")
        return {}
    types = {t.value for t in InstallationType}
    kinds = {k.value for k in DocumentKind}
    required: Required = {}
    for type_, listed in raw.items():
        at = child(path, str(type_))
        if type_ not in types:
            issues.add(at, f"{type_!r} is not an installation type (one of "
                       f"{', '.join(sorted(types))})")
            continue
        if not isinstance(listed, list) or not all(k in kinds for k in listed):
            issues.add(at, f"a list of document kinds (from {', '.join(sorted(kinds))}), "
                       f"not {listed!r}")
            continue
        required[str(type_)] = tuple(DocumentKind(k) for k in listed)
    return required


def documentation_view(case: Mapping[str, Any], required: Required, language: str
                       ) -> dict[str, Any]:
    """``case.documentation``: what the case's kind requires that no installer attachment
    documents, and the note that names it (empty ``missing`` when nothing is)."""
    wanted = required.get(str(case.get("installation_type")), ())
    present = {a.get("kind") for a in case.get("attachments") or []
               if isinstance(a, dict)
               and a.get("origin", AttachmentOrigin.installer.value)
               == AttachmentOrigin.installer.value}
    missing = [k for k in wanted if k.value not in present]
    if not missing:
        return {"missing": []}
    subject, text = _NOTE[language]
    names = ", ".join(k.label(language) for k in missing)
    return {"missing": [k.value for k in missing], "subject": subject,
            "text": text.format(missing=names)}
