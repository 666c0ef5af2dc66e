"""Urgent stops first within their trip, where the trip takes no longer for it."""

from __future__ import annotations

from fixtures.generate import three_on_a_lane
from optimizer.problem import DayModel, build_day_model
from optimizer.urgent_first import urgent_first
from tests.helpers import day, graph_of, operations


def _model(*rows: tuple[object, ...], **ops: object) -> DayModel:
    return build_day_model(graph_of(three_on_a_lane()), day(*rows), operations(**ops))


def _buildings(model: DayModel, trips: list[list[list[int]]]) -> list[list[list[str | None]]]:
    return [[[model.visits[n].building for n in trip] for trip in crew] for crew in trips]


def _node(model: DayModel, building: str, *, urgent: bool) -> int:
    [node] = [
        n
        for n, v in enumerate(model.visits)
        if v.building == building and (v.urgent > 0) == urgent and v.late_for is None
    ]
    return node


def test_an_urgent_stop_at_the_far_end_goes_first_when_the_round_is_as_long_either_way() -> None:
    model = _model(("B1", 10), ("B2", 10), ("B3", 10, None, 2))
    b1, b2, b3 = (_node(model, b, urgent=False) for b in ("B1", "B2", "B3"))
    urgent = _node(model, "B3", urgent=True)
    trips, changed = urgent_first(model, [[[b1, b2, b3, urgent]]])
    assert changed == 1
    first = trips[0][0]
    assert first[0] == urgent and sorted(first) == sorted([b1, b2, b3, urgent])
    assert model.trip_s(0, first) <= model.trip_s(0, [b1, b2, b3, urgent])


def test_a_trip_that_would_take_longer_or_has_nothing_urgent_is_left_as_it_is() -> None:
    model = _model(("B1", 10, None, 1), ("B3", 10))
    b1, b3 = _node(model, "B1", urgent=False), _node(model, "B3", urgent=False)
    urgent = _node(model, "B1", urgent=True)
    # B1's urgent parcel last: moving it before B3 is free only where the trip goes B1 first
    as_planned = [[[b1, b3], [b3, urgent, b1]], [[urgent, b1, b3]]]
    trips, changed = urgent_first(model, as_planned)
    assert trips[0][0] == [b1, b3]  # nothing urgent
    assert trips[1][0] == [urgent, b1, b3]  # first already
    assert changed == 1 and trips[0][1][0] != b3  # out to B3 and back past B1: B1 on the way out
    assert model.trip_s(0, trips[0][1]) <= model.trip_s(0, [b3, urgent, b1])


def test_a_crews_trip_with_urgent_parcels_goes_earlier_where_it_costs_no_crew_time() -> None:
    from optimizer.plan import build_plan
    from optimizer.urgent_first import urgent_trips_earlier, urgent_wait_s

    model = _model(("B1", 70), ("B3", 10, None, 2))
    b1, b3 = _node(model, "B1", urgent=False), _node(model, "B3", urgent=False)
    urgent = _node(model, "B3", urgent=True)
    others: list[list[int]] = [[] for _ in model.crews[1:]]
    as_searched = [[[b1], [urgent, b3]], *others]
    before = build_plan(model, as_searched)
    trips, plan, moved = urgent_trips_earlier(
        model, as_searched, lambda t: build_plan(model, t), plan=before, until=float("inf")
    )
    assert moved == 1 and trips[0] == [[urgent, b3], [b1]]
    assert plan.delivered == before.delivered and plan.crew_s <= before.crew_s
    assert urgent_wait_s(plan) < urgent_wait_s(before)
    # already first: nothing to move
    assert (
        urgent_trips_earlier(model, trips, lambda t: build_plan(model, t), plan=plan, until=float("inf"))[2]
        == 0
    )
