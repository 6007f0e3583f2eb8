"""The demo's mix of cases: what each installer sends and how each case should go.

Deterministic from a seed. Roughly: Swedish and Norwegian grid owners, every installation
type, fuse changes the routes approve on their own, ~10% pre-notifications rejected and
resent, a few completions rejected and resent, a few wrong installation types (copied to a new
case, the old one deleted), a few cancellations, blocks of three facilities (Blockanmälan),
new installations cancelled while their meter work order waits, Norwegian smart-meter
rebuilds reported as completion-only cases, plus customers with a production metering point,
and Norwegian completions first sent without their P0 documentation.

On the demo's simulated clock (hub.demo.clock) each case arrives on a day of the first
``ARRIVAL_DAYS`` and is completed a number of days after its approval, days to weeks
(``COMPLETION_DAYS``, most of them a week or two), drawn from the seed apart from the turns,
so the same seed gives the same cases and turns whatever the timing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime

from hub.demo.cases import case_for, facility, production_point
from schemas.case import Case

# (installation type, job type, weight): the portal's offer (schemas.codes.VALID_JOB_TYPES).
_TYPES = (
    ("new_installation", "single_meter", 30),
    ("new_installation", "production", 6),
    ("new_installation", "multiple_meters", 4),  # a Blockanmälan: three facilities
    ("extension", "single_meter", 8),
    ("temporary", "construction_power", 5),
    ("service_change", "service_relocation", 6),
    ("fuse_change", "fuse_upgrade", 12),
    ("fuse_change", "fuse_downgrade", 3),
    ("work_in_existing", "meter_relocation", 5),
)
ARRIVAL_DAYS = 7
"""Cases arrive spread over the first this many simulated days."""
COMPLETION_DAYS = (2, 21)
"""Simulated days between a case's approval and its completion notice: (shortest, longest)."""
WORKORDER_KINDS = {"new_installation": "meter_new_installation"}
"""Installation types whose completion orders a meter job (a phase rebuild does too)."""


@dataclass
class Plan:
    """One case's script. The flags say which turns it takes; ``done`` steps are recorded by
    the scenario as it plays them."""

    case: Case
    completion_only: bool = False
    reject_pre: bool = False
    wrong_type: bool = False
    reject_completion: bool = False
    cancel: bool = False
    cancel_after_approval: bool = False
    missing_documents: bool = False  # first completion without its P0 documentation
    copy_of: str | None = None
    arrival_day: int = 0  # the simulated day (0: the first) the installer sends it
    completion_days: int = 0  # simulated days from the approval to the completion notice
    approved_at: datetime | None = None  # (simulated) when the installer saw the approval
    done: list[str] = field(default_factory=list)

    @property
    def case_id(self) -> str:
        return self.case.case_id

    @property
    def expects_workorder(self) -> bool:
        return (self.case.installation_type in WORKORDER_KINDS
                or self.case.job_type == "phase_rebuild")

    @property
    def auto_approved(self) -> bool:
        """What the routes approve without a person: a fuse upgrade up to 25 A."""
        fuse = self.case.facilities[0].main_fuse_a or 0
        return self.case.job_type == "fuse_upgrade" and fuse <= 25

    def did(self, step: str) -> bool:
        return step in self.done


def make_mix(cases: int, seed: int = 1, *, arrival_days: int = ARRIVAL_DAYS,
             completion_days: tuple[int, int] = COMPLETION_DAYS) -> list[Plan]:
    """``cases`` plans: about 10% rebuilds in Norway (completion only), the rest with a
    pre-notification; a third Norwegian. Each arrives on a day of the first
    ``arrival_days`` and is completed ``completion_days`` (a range) after its approval."""
    plans = _cases(cases, seed)
    timing = random.Random(f"timing/{seed}")  # its own draws: the cases stay the seed's
    shortest, longest = completion_days
    for plan in plans:
        plan.arrival_day = timing.randrange(max(arrival_days, 1))
        # days to weeks, most of them one to two weeks
        plan.completion_days = round(timing.triangular(shortest, longest,
                                                       shortest + (longest - shortest) / 4))
    return plans


def _cases(cases: int, seed: int) -> list[Plan]:
    rng = random.Random(seed)
    weights = [w for _, _, w in _TYPES]
    plans: list[Plan] = []
    for n in range(cases):
        country = "NO" if rng.random() < 0.33 else "SE"
        if country == "NO" and rng.random() < 0.3:
            case = case_for(n, "NO", installation_type="work_in_existing",
                            job_type="phase_rebuild", main_fuse_a=25)
            plans.append(Plan(case, completion_only=True))
            continue
        itype, job, _ = rng.choices(_TYPES, weights)[0]
        fuse = 25 if job != "fuse_upgrade" or rng.random() < 0.8 else 35
        extra: dict[str, object] = {}
        if itype == "temporary" and n % 2:  # the construction power taken down again
            extra["temporary_kind"] = "disconnect"
        if job == "multiple_meters":  # NEK 399: one facility (and meter) per flat
            extra["facilities"] = [facility(n + k * 1000, country) for k in range(3)]
        if job == "production":  # a plus customer: a production metering point too
            extra["facilities"] = [facility(n, country).model_copy(
                update={"production_id": production_point(n, country)})]
        plan = Plan(case_for(n, country, installation_type=itype, job_type=job,
                             main_fuse_a=fuse, **extra))
        roll = rng.random()
        if roll < 0.10 and not plan.auto_approved:
            plan.reject_pre = True
        elif roll < 0.13 and not plan.auto_approved:
            plan.wrong_type = True
        elif roll < 0.17:
            plan.cancel = True
        elif roll < 0.21 and itype == "new_installation":
            # Cancelled after the approval, while the meter work order waits at the
            # coordinator (it is cancelled there too).
            plan.cancel = plan.cancel_after_approval = True
        elif roll < 0.21 and not plan.expects_workorder:
            plan.reject_completion = True
        # Norway's P0 documentation: now and then a completion sent without it (rejected at
        # once, naming what is missing) and sent again complete. No draw: the mix stays.
        plan.missing_documents = (country == "NO" and n % 9 == 4 and not plan.cancel
                                  and not plan.reject_completion)
        plans.append(plan)
    return plans


def copy_for_new_type(plan: Plan) -> Plan:
    """The installer's copy of a case rejected for a wrong installation type: a new case
    (id suffixed -K) as an extension, which the handler then approves."""
    old = plan.case
    copy = {**old.model_dump(mode="json"), "case_id": f"{old.case_id}-K",
            "reference": f"{old.reference}K", "installation_type": "extension",
            "job_type": "single_meter", "temporary_kind": None}
    return Plan(Case.model_validate(copy), copy_of=old.case_id,
                arrival_day=plan.arrival_day, completion_days=plan.completion_days)
