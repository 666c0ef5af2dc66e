"""The lane graph of a compound, in metres, and shortest lane distances per vehicle mode.

Hand-drawn maps are imprecise: lanes that should meet stop short or overshoot. Lanes are split
where they cross, and a lane end within `SNAP_M` of another lane is joined to it. Each building's
entrance (and the gate) joins the nearest lane of any mode by a short connector that carries that
lane's modes, so a building on a foot-only path is reachable on foot only.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx
import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra
from shapely import STRtree
from shapely.geometry import LineString, MultiLineString, Point
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points, substring
from shapely.prepared import PreparedGeometry, prep

from optimizer.errors import SiteError
from optimizer.projection import LocalProjection
from optimizer.site import MODES, Building, Site

SNAP_M = 1.0
"""A lane end this close to another lane is joined to it."""

_MERGE_M = 0.001  # points closer than a millimetre are one node


@dataclass(frozen=True)
class SiteGraph:
    """Lane graph plus where the gate and each building's entrance sit on it.

    `graph` is an undirected MultiGraph: node attributes `x`, `y` (metres); edge attributes
    `length_m`, `modes` (frozenset), `lane` (lane id, or "entrance:<id>" for a connector) and
    `line` (its LineString in metres).
    """

    site: Site
    projection: LocalProjection
    graph: nx.MultiGraph
    gate_node: int
    entrance_nodes: dict[str, int]
    lanes_m: dict[str, LineString]
    footprints_m: dict[str, BaseGeometry]

    @property
    def place_nodes(self) -> list[int]:
        """Graph nodes of the gate followed by every building, in site order."""
        return [self.gate_node] + [self.entrance_nodes[b.id] for b in self.site.buildings]

    @functools.cached_property
    def fences_m(self) -> tuple[PreparedGeometry, ...]:
        """The areas of the site's sealed zones, in metres. In 2022 a sealed small zone was fenced
        off: only the designated pair went in, and every other crew went round it."""
        return tuple(prep(self.projection.to_metres(zone.area)) for zone in self.site.zones if zone.sealed)

    @functools.cached_property
    def fenced_edges(self) -> frozenset[tuple[int, int, int]]:
        """Edges (u, v, key) that go into a sealed zone: any part of the lane inside the fence (a
        lane along the fence, touching it only, stays open)."""
        return frozenset(
            (u, v, key)
            for u, v, key, line in self.graph.edges(keys=True, data="line")
            if any(fence.intersects(line) and not fence.touches(line) for fence in self.fences_m)
        )

    @functools.cached_property
    def closed_edges(self) -> frozenset[tuple[int, int, int]]:
        """Edges (u, v, key) of lanes closed today (a barricade, a locked gate): closed to everyone."""
        closed = {lane.id for lane in self.site.lanes if lane.closed}
        if not closed:
            return frozenset()
        return frozenset(
            (u, v, key) for u, v, key, lane in self.graph.edges(keys=True, data="lane") if lane in closed
        )

    def mode_graph(self, mode: str, *, fenced: bool = False, as_drawn: bool = False) -> nx.Graph:
        """Simple graph of the edges a vehicle of `mode` may use (shortest parallel edge kept),
        without today's closed lanes; `fenced`: without the lanes inside sealed zones either, for
        every crew but a designated pair. `as_drawn`: every lane of the map, closed or not (is the
        map whole, would a building be reached were the lanes open)."""
        closed = frozenset() if as_drawn else self.closed_edges
        if fenced:
            closed |= self.fenced_edges
        simple = nx.Graph()
        simple.add_nodes_from(self.graph.nodes(data=True))
        for u, v, key, data in self.graph.edges(keys=True, data=True):
            if mode not in data["modes"] or (u, v, key) in closed:
                continue
            if simple.has_edge(u, v) and simple[u][v]["length_m"] <= data["length_m"]:
                continue
            simple.add_edge(u, v, length_m=data["length_m"], line=data["line"], lane=data["lane"])
        return simple

    def place_distances_m(self, mode: str, *, fenced: bool = False) -> np.ndarray:
        """Shortest lane distance in metres between all places (gate first), `inf` if unreachable;
        `fenced` as for `mode_graph`."""
        places = self.place_nodes
        simple = self.mode_graph(mode, fenced=fenced)
        order = list(simple.nodes)
        position = {node: i for i, node in enumerate(order)}
        rows, cols, lengths = [], [], []
        for u, v, data in simple.edges(data=True):
            rows.append(position[u])
            cols.append(position[v])
            lengths.append(max(data["length_m"], 1e-9))  # csgraph treats 0 as "no edge"
        size = len(order)
        matrix = coo_matrix((lengths, (rows, cols)), shape=(size, size)).tocsr()
        targets = [position[p] for p in places]
        unique_sources = sorted(set(targets))
        from_sources = dijkstra(matrix, directed=False, indices=unique_sources)
        row_of = {source: i for i, source in enumerate(unique_sources)}
        result: np.ndarray = from_sources[[row_of[t] for t in targets]][:, targets]
        return result


_NEIGHBOUR_CELLS = tuple(itertools.product((-1, 0, 1), repeat=2))


def build_graph(site: Site) -> SiteGraph:
    """Project the site to metres, node the lanes and connect the gate and the buildings."""
    projection = LocalProjection(lon0=site.gate.lonlat[0], lat0=site.gate.lonlat[1])
    lane_ids = [lane.id for lane in site.lanes]
    lines: list[LineString] = [projection.to_metres(lane.line) for lane in site.lanes]
    cuts: list[set[float]] = [set() for _ in lines]
    lines = _snap_near_misses(lines, cuts)
    for lane_cuts, line in zip(cuts, lines, strict=True):
        lane_cuts.update((0.0, line.length))
    tree = STRtree(lines)
    _add_crossings(lines, tree, cuts)

    gate_xy = projection.point_to_metres(*site.gate.lonlat)
    footprints_m = {b.id: projection.to_metres(b.footprint) for b in site.buildings}
    entrances_m = {b.id: _entrance_m(b, footprints_m[b.id], projection, lines, tree) for b in site.buildings}
    places: list[tuple[str, Point]] = [("gate", Point(gate_xy))]
    places += [(f"entrance:{b.id}", entrances_m[b.id]) for b in site.buildings]
    attachments: list[tuple[str, Point, int, Point]] = []
    for label, point in places:
        lane_number = int(tree.query_nearest(point, all_matches=False)[0])
        line = lines[lane_number]
        distance_along = line.project(point)
        cuts[lane_number].add(distance_along)
        attachments.append((label, point, lane_number, line.interpolate(distance_along)))

    graph = nx.MultiGraph()
    cells: dict[tuple[int, int], list[tuple[int, float, float]]] = defaultdict(list)

    def node_at(x: float, y: float) -> int:
        """The node within a millimetre of (x, y), made if there is none (floats never agree exactly).
        Each cell keeps its nodes' coordinates rather than reading them back from networkx."""
        cx, cy = math.floor(x / _MERGE_M), math.floor(y / _MERGE_M)
        for dx, dy in _NEIGHBOUR_CELLS:
            for node, nx_, ny in cells.get((cx + dx, cy + dy), ()):
                if math.hypot(nx_ - x, ny - y) <= _MERGE_M:
                    return node
        node = graph.number_of_nodes()
        graph.add_node(node, x=x, y=y)
        cells[(cx, cy)].append((node, x, y))
        return node

    for lane, line, lane_cuts in zip(site.lanes, lines, cuts, strict=True):
        stops = sorted(lane_cuts)
        for start, end in itertools.pairwise(stops):
            if end - start < _MERGE_M:
                continue
            piece = substring(line, start, end)
            first, last = piece.coords[0], piece.coords[-1]
            u, v = node_at(first[0], first[1]), node_at(last[0], last[1])
            if u != v:
                graph.add_edge(u, v, length_m=float(piece.length), modes=lane.modes, lane=lane.id, line=piece)

    place_node: dict[str, int] = {}
    for label, point, lane_number, on_lane in attachments:
        lane_node = node_at(on_lane.x, on_lane.y)
        gap = point.distance(on_lane)
        if gap < _MERGE_M:
            place_node[label] = lane_node
            continue
        node = node_at(point.x, point.y)
        graph.add_edge(
            node,
            lane_node,
            length_m=float(gap),
            modes=site.lanes[lane_number].modes,
            lane=label,
            line=LineString([point, on_lane]),
        )
        place_node[label] = node

    site_graph = SiteGraph(
        site=site,
        projection=projection,
        graph=graph,
        gate_node=place_node["gate"],
        entrance_nodes={b.id: place_node[f"entrance:{b.id}"] for b in site.buildings},
        lanes_m=dict(zip(lane_ids, lines, strict=True)),
        footprints_m=footprints_m,
    )
    _check_all_reachable(site_graph)
    return site_graph


def unreachable_buildings(
    site_graph: SiteGraph, modes: Iterable[str], *, as_drawn: bool = False
) -> list[str]:
    """Buildings no vehicle of the given modes can reach from the gate (`as_drawn`: were every
    closed lane open)."""
    reached: set[int] = set()
    for mode in set(modes):
        lanes = site_graph.mode_graph(mode, as_drawn=as_drawn)
        reached |= nx.node_connected_component(lanes, site_graph.gate_node)
    return [b for b, node in site_graph.entrance_nodes.items() if node not in reached]


def reachable_by_mode(site_graph: SiteGraph) -> dict[str, frozenset[str]]:
    """Per mode, the buildings a vehicle of it can reach from the gate on the lanes as drawn (a
    lane closed today leaves a day plannable: what lies behind it is listed undelivered): all a
    day's check needs of the graph, small enough for a server to keep per site
    (`problem.check_reachable`)."""
    everyone = set(site_graph.entrance_nodes)
    return {
        mode: frozenset(everyone - set(unreachable_buildings(site_graph, [mode], as_drawn=True)))
        for mode in MODES
    }


def _check_all_reachable(site_graph: SiteGraph) -> None:
    connected = nx.node_connected_component(site_graph.graph, site_graph.gate_node)
    for building in site_graph.site.buildings:
        if site_graph.entrance_nodes[building.id] not in connected:
            lane = _lane_of_entrance(site_graph, building.id)
            raise SiteError(
                f"building {building.id!r} cannot be reached from the gate: its nearest lane "
                f"{lane!r} is not connected to the gate's lanes; draw the missing lane",
                field=f"building {building.id}",
                zh=f"楼 {building.id} 从大门走不到：离它最近的道路 {lane} 和大门那边的道路不相连；请把缺的那段路画上",
            )


def _lane_of_entrance(site_graph: SiteGraph, building_id: str) -> str:
    node = site_graph.entrance_nodes[building_id]
    for _, _, data in site_graph.graph.edges(node, data=True):
        lane: str = data["lane"]
        if not lane.startswith("entrance:"):
            return lane
    return "?"


def _snap_near_misses(lines: list[LineString], cuts: list[set[float]]) -> list[LineString]:
    """Move lane ends that stop short of (or overshoot past) another lane onto it, and cut that lane there.

    The cut is recorded here rather than found again as a crossing: a point moved onto a line is
    rarely exactly on it in floating point, so an intersection test could miss it. Moving one end
    can shift a lane that another end was moved onto, so the moves repeat until they settle.
    """
    tree = STRtree(lines)
    snaps: list[tuple[int, int, int]] = []  # (lane, end, onto lane)
    for number, line in enumerate(lines):
        for end in (0, -1):
            point = Point(line.coords[end])
            best: tuple[float, int] | None = None
            for other in tree.query(point, predicate="dwithin", distance=SNAP_M):
                gap = lines[other].distance(point)
                if other != number and (best is None or gap < best[0]):
                    best = (gap, int(other))
            if best is not None:
                snaps.append((number, end, best[1]))
    coords = [list(line.coords) for line in lines]
    snapped = list(lines)
    for _ in range(5):
        moved = 0.0
        for number, end, onto in snaps:
            target = snapped[onto].interpolate(snapped[onto].project(Point(coords[number][end])))
            moved = max(moved, math.dist(coords[number][end], (target.x, target.y)))
            coords[number][end] = (target.x, target.y)
            snapped[number] = LineString(coords[number])
        if moved < 1e-9:
            break
    for number, end, onto in snaps:
        cuts[onto].add(snapped[onto].project(Point(coords[number][end])))
    return snapped


def _add_crossings(lines: list[LineString], tree: STRtree, cuts: list[set[float]]) -> None:
    for number, line in enumerate(lines):
        for other in tree.query(line, predicate="intersects"):
            if other == number:
                continue
            for point in _points_of(line.intersection(lines[other])):
                cuts[number].add(line.project(point))


def _points_of(geometry: BaseGeometry) -> list[Point]:
    if geometry.is_empty:
        return []
    if isinstance(geometry, Point):
        return [geometry]
    if isinstance(geometry, LineString | MultiLineString):
        return [Point(c) for c in geometry.boundary.geoms] if not geometry.boundary.is_empty else []
    parts = getattr(geometry, "geoms", [])
    return [p for part in parts for p in _points_of(part)]


def _entrance_m(
    building: Building,
    footprint_m: BaseGeometry,
    projection: LocalProjection,
    lines: list[LineString],
    tree: STRtree,
) -> Point:
    if building.entrance is not None:
        return Point(projection.point_to_metres(*building.entrance))
    if isinstance(footprint_m, Point):
        return footprint_m
    nearest_lane = lines[int(tree.query_nearest(footprint_m, all_matches=False)[0])]
    on_footprint, _ = nearest_points(footprint_m.exterior, nearest_lane)
    return on_footprint


def cut_off_by_lane(site_graph: SiteGraph) -> dict[str, frozenset[str]]:
    """Per lane, the buildings no vehicle reaches from the gate while it is closed, with the other
    lanes as they are today, but reaches while it is open: what closing a lane costs, or what
    opening it again gives back, for a coordinator deciding which barricade matters."""
    others_closed = {lane.id for lane in site_graph.site.lanes if lane.closed}
    adjacency: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for u, v, lane in site_graph.graph.edges(data="lane"):
        adjacency[u].append((v, lane))
        adjacency[v].append((u, lane))
    building_at = defaultdict(list)
    for building, node in site_graph.entrance_nodes.items():
        building_at[node].append(building)

    def reached(closed: set[str]) -> set[str]:
        seen, todo = {site_graph.gate_node}, [site_graph.gate_node]
        while todo:
            for there, lane in adjacency[todo.pop()]:
                if there not in seen and lane not in closed:
                    seen.add(there)
                    todo.append(there)
        return {b for node in seen for b in building_at.get(node, ())}

    result = {}
    for lane in site_graph.site.lanes:
        with_it_open = reached(others_closed - {lane.id})
        result[lane.id] = frozenset(with_it_open - reached(others_closed | {lane.id}))
    return result
