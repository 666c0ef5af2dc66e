"""The multi-trip comparison gives PyVRP the day planner's own day, and holds its routes, timed by
OneBell's plan builder, to the same checker (PyVRP itself is an optional extra: not needed here)."""

import dataclasses
from types import SimpleNamespace

import numpy as np

from bench.multi_trip import DAYS, UNREACHABLE_S, comparable_day, trips_of_schedule


def _activity(kind: str, idx: int) -> SimpleNamespace:
    return SimpleNamespace(type=SimpleNamespace(name=kind), idx=idx)


def test_the_day_leaves_out_what_pyvrp_cannot_model_and_keeps_the_rosters_crews() -> None:
    day = comparable_day(*DAYS[2])  # gelin-spring 2,300, four riders a shift
    assert day.operations.gate.sort_s_per_parcel == 0 and day.operations.balance_min is None
    assert day.day.parcels == 2300 and not any(row.urgent for row in day.day.rows)
    assert all(visit.late_for is None for visit in day.model.visits)
    assert [(len(g.crews), g.riders) for g in day.groups] == [(2, 2)] * 3  # two tricycles a shift
    assert sum(v.parcels for v in day.model.visits) == 2300


def test_a_route_is_cut_into_trips_at_every_visit_to_the_gate() -> None:
    schedule = [
        _activity("DEPOT", 0),
        _activity("CLIENT", 0),
        _activity("CLIENT", 4),
        _activity("DEPOT", 0),  # a reload
        _activity("CLIENT", 2),
        _activity("DEPOT", 0),
    ]
    assert trips_of_schedule(schedule) == [[1, 5], [3]]
    assert trips_of_schedule([_activity("DEPOT", 0), _activity("DEPOT", 0)]) == []


def test_a_fleet_entry_rides_far_round_what_it_cannot_reach() -> None:
    day = comparable_day(*DAYS[0])
    reachable = day.model.reachable.copy()
    reachable[0, 3] = False
    cut_off = dataclasses.replace(day, model=dataclasses.replace(day.model, reachable=reachable))
    profile = cut_off.profile(0)
    assert (profile[:, 3] == UNREACHABLE_S).sum() == profile.shape[0] - 1 and profile[3, 3] == 0
    assert (
        np.delete(np.delete(profile, 3, 0), 3, 1) == np.delete(np.delete(day.profile(0), 3, 0), 3, 1)
    ).all()


def test_trips_handed_to_the_crews_are_timed_by_the_plan_builder_and_checked() -> None:
    day = comparable_day(*DAYS[0])  # gelin-spring 600, two tricycles a shift
    model, capacity = day.model, day.operations.fleet[0].capacity
    trips_of_crew: list[list[list[int]]] = [[] for _ in model.crews]
    for shift in range(len(day.operations.shifts)):
        crews = model.crews_of_shift(shift)
        nodes = [n for n in range(1, model.node_count) if model.visits[n].available_shift == shift]
        trip: list[int] = []
        trips: list[list[int]] = []
        for node in nodes:  # node order, full loads: a poor plan, but one the shift can carry
            if sum(model.visits[n].parcels for n in trip) + model.visits[node].parcels > capacity:
                trips.append(trip)
                trip = []
            trip.append(node)
        trips.append(trip)
        for k, one in enumerate(trips):
            trips_of_crew[crews[k % len(crews)]].append(one)
    plan = day.plan_of(trips_of_crew, "by hand")
    assert plan.delivered == 600 and day.violations(plan) == []
    # An afternoon trip carried by a morning crew takes parcels before they reached the gate.
    morning = model.crews_of_shift(0)[0]
    early = [list(trips) for trips in trips_of_crew]
    early[morning].insert(0, early[model.crews_of_shift(1)[0]].pop(0))
    assert any("morning" in v for v in day.violations(day.plan_of(early, "by hand")))
