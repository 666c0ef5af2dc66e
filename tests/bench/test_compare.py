"""The benchmark harness runs a row's solvers in turns, so the machine's drift falls on all alike."""

from collections.abc import Callable

import numpy as np
import pytest

from bench import compare
from optimizer.cvrp import CvrpInstance

Solve = Callable[[CvrpInstance, float, int], tuple[int, float]]


def test_solvers_take_turns_run_by_run_and_vroom_runs_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, int]] = []

    def recording(name: str, cost: int) -> Solve:
        def solve(instance: CvrpInstance, limit: float, run: int) -> tuple[int, float]:
            calls.append((name, run))
            return cost + run, limit

        return solve

    monkeypatch.setattr(
        compare,
        "SOLVERS",
        {
            "onebell": recording("onebell", 100),
            "pyvrp": recording("pyvrp", 200),
            "vroom": recording("vroom", 300),
        },
    )
    one_customer = CvrpInstance("one", np.array([[0, 1], [1, 0]]), np.array([0, 1]), np.array([0, 0]), 1)
    results = compare.run_in_turns(one_customer, 5.0, ["onebell", "pyvrp", "vroom"], 3)
    assert calls == [
        ("onebell", 0),
        ("pyvrp", 0),
        ("vroom", 0),
        ("onebell", 1),
        ("pyvrp", 1),
        ("onebell", 2),
        ("pyvrp", 2),
    ]
    assert results == {
        "onebell": [(100, 5.0), (101, 5.0), (102, 5.0)],
        "pyvrp": [(200, 5.0), (201, 5.0), (202, 5.0)],
        "vroom": [(300, 5.0)],
    }
