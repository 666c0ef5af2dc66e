"""The plain-CVRP entry: the same OR-Tools model, checked by an independent route evaluator."""

from __future__ import annotations

import numpy as np
import pytest

from optimizer.cvrp import CvrpInstance, route_cost, solve_cvrp


def _line(capacity: int) -> CvrpInstance:
    """Depot at 0 and four customers at 1, 2, 3, 4 km along a line; travel = distance."""
    positions = np.array([0, 1, 2, 3, 4])
    travel = np.abs(positions[:, None] - positions[None, :]) * 1000
    demand = np.array([0, 3, 3, 3, 3])
    return CvrpInstance("line", travel, demand, np.array([0, 10, 10, 10, 10]), capacity)


@pytest.mark.parametrize("strategies", [("automatic",), ("automatic", "savings")])
def test_one_route_when_everything_fits(strategies: tuple[str, ...]) -> None:
    solution = solve_cvrp(_line(12), time_limit_s=0.5, first_solutions=strategies)
    assert solution.cost == 8000 + 40 and len(solution.routes) == 1


def test_capacity_forces_two_routes_and_the_best_split() -> None:
    solution = solve_cvrp(_line(6), time_limit_s=0.5, first_solutions=("automatic",))
    # Best: {1, 2} out and back (4 km) and {3, 4} (8 km).
    assert sorted(sorted(r) for r in solution.routes) == [[1, 2], [3, 4]]
    assert solution.cost == 12000 + 40


def test_the_evaluator_rejects_bad_routes() -> None:
    instance = _line(6)
    with pytest.raises(ValueError, match="carries 9, capacity is 6"):
        route_cost(instance, [[1, 2, 3], [4]])
    with pytest.raises(ValueError, match="every customer exactly once"):
        route_cost(instance, [[1, 2], [3]])
