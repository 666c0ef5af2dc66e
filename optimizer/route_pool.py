"""Routes a search passes through, kept for recombination by set partitioning.

A single search keeps only its best solution, yet the solutions it passes through near the end
hold routes that fit together better than any one of them did: choosing among all of them
(`optimizer/partition.py`) recombines two searches' work into a plan neither found alone. Only
routes of good solutions are worth keeping, so each route remembers the best objective of a
solution it was seen in, and `routes` returns those seen within a margin of the final best.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence


class RoutePool:
    """Node sequences of solutions within `margin` (a fraction) of the best objective seen."""

    def __init__(self, margin: float = 0.01) -> None:
        self.margin = margin
        self.best_objective: int | None = None
        self._seen_in: dict[tuple[int, ...], int] = {}

    def wants(self, objective: int) -> bool:
        """Whether a solution of this objective is close enough to the best to be worth reading."""
        return self.best_objective is None or objective <= self.best_objective * (1 + self.margin)

    def offer(self, objective: int, routes: Iterable[Sequence[int]]) -> None:
        if self.best_objective is None or objective < self.best_objective:
            self.best_objective = objective
        if not self.wants(objective):
            return
        for route in routes:
            if route:
                key = tuple(route)
                if objective < self._seen_in.get(key, objective + 1):
                    self._seen_in[key] = objective

    def routes(self) -> list[tuple[int, ...]]:
        """Routes seen in a solution within the margin of the best solution seen overall.

        >>> pool = RoutePool(margin=0.1)
        >>> pool.offer(120, [[1, 2], [3]])
        >>> pool.offer(100, [[1], [2, 3]])
        >>> pool.routes()
        [(1,), (2, 3)]
        >>> pool.offer(130, [[3, 1]])  # too far from the best: not kept
        >>> len(pool)
        4
        """
        if self.best_objective is None:
            return []
        limit = self.best_objective * (1 + self.margin)
        return [route for route, objective in self._seen_in.items() if objective <= limit]

    def __len__(self) -> int:
        return len(self._seen_in)
