"""``gridhub routes explain`` and the case page: the routes judged against a message and its
case as it stands in the store."""

from __future__ import annotations

from typing import Any

from hub.routes.explain import RouteVerdict, explain
from hub.routes.model import RouteTable
from hub.store import Store
from schemas.envelope import Envelope
from schemas.projection import CaseState


def stored_case_view(store: Store, case_id: str) -> dict[str, Any] | None:
    """The case as routes' ``case.`` paths see it (hub.pipeline.case_view), or None."""
    from hub.pipeline import case_view

    row = store.case(case_id)
    if row is None:
        return None
    return case_view(CaseState.model_validate(row.state))


def explain_for_case(table: RouteTable, env: Envelope, store: Store,
                     case_id: str | None) -> tuple[list[RouteVerdict], bool]:
    """The verdicts for ``env`` with case ``case_id`` (default: the message's); whether the
    case was found."""
    view = stored_case_view(store, case_id or env.case_id)
    return explain(table, env, view), view is not None
