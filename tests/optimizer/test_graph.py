"""Building the lane graph: crossings, near misses, entrances and mode restrictions."""

from __future__ import annotations

import math

import pytest

from fixtures.generate import foot_path
from optimizer.drawing import Drawing
from optimizer.errors import SiteError
from optimizer.graph import unreachable_buildings
from tests.helpers import graph_of, three_on_a_lane


def _site(
    lanes: list[tuple[str, list[tuple[float, float]], list[str] | None]],
    buildings: dict[str, tuple[float, float]],
) -> Drawing:
    d = Drawing("t", "t", 121.0, 31.0)
    d.gate(0, 0, "Gate")
    for lane_id, points, modes in lanes:
        d.lane(lane_id, points, modes)
    for building_id, (x, y) in buildings.items():
        d.building({"id": building_id, "households": 4, "floors": 2}, (x - 3, y, x + 3, y + 6), (x, y))
    return d


def _distance(drawing: Drawing, building: str, mode: str = "tricycle") -> float:
    site_graph = graph_of(drawing)
    order = ["gate", *site_graph.site.building_ids]
    return float(site_graph.place_distances_m(mode)[0, order.index(building)])


def test_lanes_are_split_where_they_cross() -> None:
    drawing = _site(
        [("east-west", [(0, 0), (100, 0)], None), ("north-south", [(50, -50), (50, 50)], None)],
        {"N": (50, 50)},
    )
    site_graph = graph_of(drawing)
    crossing = [n for n, degree in site_graph.graph.degree() if degree == 4]
    assert len(crossing) == 1
    node = site_graph.graph.nodes[crossing[0]]
    assert node["x"] == pytest.approx(50, abs=0.01) and node["y"] == pytest.approx(0, abs=0.01)
    assert _distance(drawing, "N") == pytest.approx(100, abs=0.05)


def test_a_lane_ending_within_a_metre_of_another_is_joined() -> None:
    drawing = _site(
        [("main", [(0, 0), (100, 0)], None), ("spur", [(50, 0.6), (50, 100)], None)],
        {"S": (50, 100)},
    )
    assert _distance(drawing, "S") == pytest.approx(150, abs=0.05)


def test_a_lane_overshooting_another_by_less_than_a_metre_is_joined() -> None:
    drawing = _site(
        [("main", [(0, 0), (100, 0)], None), ("spur", [(50, -0.7), (50, 100)], None)],
        {"S": (50, 100)},
    )
    assert _distance(drawing, "S") == pytest.approx(150, abs=0.05)


def test_a_gap_wider_than_a_metre_leaves_the_building_unreachable() -> None:
    drawing = _site(
        [("main", [(0, 0), (100, 0)], None), ("spur", [(50, 1.5), (50, 100)], None)],
        {"S": (50, 100)},
    )
    with pytest.raises(SiteError, match=r"building 'S' cannot be reached from the gate.*'spur'"):
        graph_of(drawing)


def test_entrance_joins_the_nearest_lane_by_a_connector() -> None:
    d = Drawing("t", "t", 121.0, 31.0)
    d.gate(0, 0, "Gate")
    d.lane("lane", [(0, 0), (100, 0)])
    d.building({"id": "A", "households": 4, "floors": 2}, (45, 10, 55, 20))  # no entrance given
    site_graph = graph_of(d)
    # The footprint's nearest point to the lane is 10 m north of x in [45, 55].
    assert float(site_graph.place_distances_m("tricycle")[0, 1]) == pytest.approx(55, abs=0.05)


def test_mode_restrictions_follow_the_lanes() -> None:
    drawing = foot_path()
    site_graph = graph_of(drawing)
    order = ["gate", *site_graph.site.building_ids]
    path_house = order.index("P1")
    assert math.isinf(site_graph.place_distances_m("tricycle")[0, path_house])
    assert site_graph.place_distances_m("foot")[0, path_house] == pytest.approx(280, abs=0.05)
    assert site_graph.place_distances_m("cart")[0, path_house] == pytest.approx(280, abs=0.05)
    assert unreachable_buildings(site_graph, ["tricycle"]) == ["P1"]
    assert unreachable_buildings(site_graph, ["tricycle", "cart"]) == []


def test_distances_are_symmetric_and_follow_the_lane() -> None:
    site_graph = graph_of(three_on_a_lane())
    distances = site_graph.place_distances_m("tricycle")
    assert distances == pytest.approx(distances.T)
    assert distances[1, 3] == pytest.approx(200, abs=0.05)
    assert distances[0, 3] == pytest.approx(300, abs=0.05)
