"""The demo's mix: deterministic, both countries, every installation type, the turns asked."""

from __future__ import annotations

from collections import Counter

from hub.demo.mix import copy_for_new_type, make_mix
from schemas.codes import InstallationType


def test_mix_is_deterministic_and_varied():
    plans = make_mix(200, seed=7)
    assert [p.case_id for p in plans] == [p.case_id for p in make_mix(200, seed=7)]
    assert [p.case_id for p in plans] != [p.case_id for p in make_mix(200, seed=8)] or \
        [p.reject_pre for p in plans] != [p.reject_pre for p in make_mix(200, seed=8)]
    assert len({p.case_id for p in plans}) == 200
    countries = Counter(p.case.grid_owner.country for p in plans)
    assert countries["SE"] > countries["NO"] > 30
    assert {p.case.installation_type for p in plans} == set(InstallationType)
    rejected = sum(p.reject_pre for p in plans)
    assert 10 <= rejected <= 35  # ~10%
    assert sum(p.cancel for p in plans) >= 3 and sum(p.wrong_type for p in plans) >= 1
    assert sum(p.reject_completion for p in plans) >= 1
    rebuilds = [p for p in plans if p.completion_only]
    assert rebuilds and all(p.case.job_type == "phase_rebuild" and p.expects_workorder
                            and p.case.grid_owner.country == "NO" for p in rebuilds)
    gsrns = [p.case.facilities[0].facility_id.reveal() for p in plans]
    assert len(set(gsrns)) == 200  # each new metering point is new to the datahub


def test_wrong_type_copy_is_a_new_case():
    plan = next(p for p in make_mix(200, seed=7) if p.wrong_type)
    copy = copy_for_new_type(plan)
    assert copy.case_id == f"{plan.case_id}-K" and copy.copy_of == plan.case_id
    assert copy.case.installation_type == "extension"
    assert copy.case.facilities == plan.case.facilities


def test_plus_customers_and_completions_without_documentation():
    plans = make_mix(200, seed=7)
    plus = [p for p in plans if p.case.job_type == "production"]
    assert plus and all(f.production_id is not None for p in plus for f in p.case.facilities)
    points = [f.production_id.reveal() for p in plus for f in p.case.facilities]
    assert len(set(points)) == len(points)
    missing = [p for p in plans if p.missing_documents]
    assert missing and all(p.case.grid_owner.country == "NO" and not p.cancel
                           and not p.reject_completion for p in missing)


def test_arrivals_and_completion_delays_are_drawn_within_their_ranges_deterministically():
    plans = make_mix(200, seed=7, arrival_days=10, completion_days=(2, 30))
    delays = [p.completion_days for p in plans]
    assert all(2 <= d <= 30 for d in delays)
    assert len(set(delays)) > 10 and max(delays) - min(delays) >= 14  # days to weeks
    assert all(0 <= p.arrival_day < 10 for p in plans)
    assert len({p.arrival_day for p in plans}) == 10  # spread over every day
    again = make_mix(200, seed=7, arrival_days=10, completion_days=(2, 30))
    assert [(p.arrival_day, p.completion_days) for p in again] == \
        [(p.arrival_day, p.completion_days) for p in plans]
    # the timing has its own draws: the cases and their turns are the seed's whatever it is
    other = make_mix(200, seed=7, arrival_days=3, completion_days=(5, 6))
    assert [(p.case_id, p.reject_pre, p.cancel) for p in other] == \
        [(p.case_id, p.reject_pre, p.cancel) for p in plans]
    assert {p.completion_days for p in other} <= {5, 6}
