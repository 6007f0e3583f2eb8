"""Per-facility progress of a case: what the hub asked for each facility (GSRN) and what came
back, so a route can wait for every facility of a Blockanmälan (``case.progress.all.x``).

A facility enters the progress with its meter job. ``work_order`` follows the coordinator
(requested, created, reported, cancelled, done_with_deviation) with its ``workorder_id`` and
``kind``; ``kis`` is ``asked`` when the hub asks KIS to register or end the facility's
customer and ``confirmed`` when KIS confirms. Pure functions over the dict the projection
keeps.
"""

from __future__ import annotations

from typing import Any

Progress = dict[str, dict[str, str]]


def record(progress: Progress, gsrn: Any, **steps: str) -> None:
    """Record steps of one facility (``gsrn`` a Gsrn or its digits); None is no facility."""
    if gsrn is None:
        return
    name = gsrn.reveal() if hasattr(gsrn, "reveal") else str(gsrn)
    progress.setdefault(name, {"gsrn": name}).update(steps)


def work_order_moved(progress: Progress, event: Any, state: str) -> None:
    """A coordinator event for a facility with a meter job in the progress."""
    gsrn = getattr(event, "gsrn", None)
    if gsrn is not None and gsrn.reveal() in progress:
        record(progress, gsrn, work_order=state,
               workorder_id=str(getattr(event, "workorder_id", "")))


def kis_confirmed(progress: Progress) -> None:
    """KIS confirms in the order it was asked (one case's messages reach KIS in order), so a
    confirmation is the oldest facility still waiting."""
    for step in progress.values():
        if step.get("kis") == "asked":
            step["kis"] = "confirmed"
            return
