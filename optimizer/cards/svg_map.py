"""SVG maps of a compound drawn from the site geometry, with routes along the lanes.

Each trip is one `<path class="route">` that follows the lanes its vehicle may use (shortest
paths on the lane graph), with its stops numbered in order at the buildings' entrances.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

import networkx as nx
from shapely.geometry import LineString, Point, Polygon

from optimizer.graph import SiteGraph
from optimizer.site import sealed_buildings

PALETTE = (
    "#d62728",
    "#1f77b4",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
)


@dataclass(frozen=True)
class RouteLine:
    """One trip to draw: its stops in order (building ids), the mode it rides, its colour, and
    whether it goes round sealed zones (every crew but a designated pair)."""

    stops: tuple[str, ...]
    mode: str
    colour: str
    label: str = ""
    fenced: bool = True


def site_map_svg(
    site_graph: SiteGraph,
    routes: Sequence[RouteLine] = (),
    *,
    width_px: int = 640,
    number_stops: bool = True,
    title: str = "",
) -> str:
    """The compound (lanes, footprints, gate) with `routes` drawn on top, as an SVG document."""
    minx, miny, maxx, maxy = _frame(site_graph)
    width_m, height_m = maxx - minx, maxy - miny
    scale = width_m / width_px  # metres per pixel, for strokes that look the same at any size
    height_px = round(width_px * height_m / width_m)

    def xy(x: float, y: float) -> str:
        return f"{x - minx:.1f},{maxy - y:.1f}"

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width_m:.1f} {height_m:.1f}" '
        f'width="{width_px}" height="{height_px}" font-family="Noto Sans CJK SC, sans-serif">',
        f"<title>{escape(title or site_graph.site.name)}</title>",
        f'<rect width="{width_m:.1f}" height="{height_m:.1f}" fill="#ffffff"/>',
    ]
    # Sealed zones and buildings in red: only the designated pair goes there, to the doors.
    for zone in site_graph.site.zones:
        area = site_graph.projection.to_metres(zone.area)
        if zone.sealed and isinstance(area, Polygon):
            points = " ".join(xy(x, y) for x, y in area.exterior.coords)
            parts.append(
                f'<polygon class="zone sealed" data-zone="{escape(zone.id)}" points="{points}" fill="#fbe9e7" stroke="#b3261e" stroke-width="{1.5 * scale:.2f}" stroke-dasharray="{4 * scale:.1f},{2 * scale:.1f}"/>'
            )
    sealed = sealed_buildings(site_graph.site)
    for building_id, footprint in site_graph.footprints_m.items():
        kind, fill, stroke = (
            ("footprint sealed", "#f4c7c3", "#b3261e")
            if building_id in sealed
            else ("footprint", "#e8e8e8", "#9a9a9a")
        )
        if isinstance(footprint, Polygon):
            points = " ".join(xy(x, y) for x, y in footprint.exterior.coords)
            parts.append(
                f'<polygon class="{kind}" data-building="{escape(building_id)}" points="{points}" fill="{fill}" stroke="{stroke}" stroke-width="{scale:.2f}"/>'
            )
        elif isinstance(footprint, Point):
            parts.append(
                f'<circle class="{kind}" data-building="{escape(building_id)}" cx="{footprint.x - minx:.1f}" cy="{maxy - footprint.y:.1f}" r="{4 * scale:.1f}" fill="{fill}"/>'
            )
    for lane in site_graph.site.lanes:
        line: LineString = site_graph.lanes_m[lane.id]
        points = " ".join(xy(x, y) for x, y in line.coords)
        foot_only = not (lane.modes - {"foot", "cart"})
        dash = f' stroke-dasharray="{4 * scale:.1f},{3 * scale:.1f}"' if foot_only else ""
        parts.append(
            f'<polyline class="lane" points="{points}" fill="none" stroke="#b8b8b8" stroke-width="{3 * scale:.1f}"{dash}/>'
        )
        if lane.closed:
            parts.append(_closed_mark(lane.id, line, xy, scale))
    fences = bool(site_graph.fences_m)
    lanes = {(route.mode, route.fenced and fences) for route in routes}
    graphs = {(mode, fenced): site_graph.mode_graph(mode, fenced=fenced) for mode, fenced in lanes}
    for route in routes:
        parts.append(_route_path(site_graph, route, graphs[(route.mode, route.fenced and fences)], xy, scale))
    gate = site_graph.graph.nodes[site_graph.gate_node]
    size = 10 * scale
    parts.append(
        f'<rect class="gate" x="{gate["x"] - minx - size / 2:.1f}" y="{maxy - gate["y"] - size / 2:.1f}" '
        f'width="{size:.1f}" height="{size:.1f}" fill="#000"/>'
    )
    if number_stops:
        for route in routes:
            parts.extend(_stop_numbers(site_graph, route, minx, maxy, scale))
    parts.append("</svg>")
    return "\n".join(parts)


def _closed_mark(lane_id: str, line: LineString, xy: Callable[[float, float], str], scale: float) -> str:
    """A lane closed today: red along its length and a cross at its middle, so a volunteer sees why
    the route goes round (the red of the sealed zones: nobody rides there)."""
    middle = line.interpolate(0.5, normalized=True)
    arm = 5 * scale
    cross = " ".join(
        f"M{xy(middle.x - arm * dx, middle.y - arm * dy)} L{xy(middle.x + arm * dx, middle.y + arm * dy)}"
        for dx, dy in ((1, 1), (1, -1))
    )
    points = " ".join(xy(x, y) for x, y in line.coords)
    return (
        f'<g class="lane closed" data-lane="{escape(lane_id)}" stroke="#b3261e" fill="none">'
        f'<polyline points="{points}" stroke-width="{1.5 * scale:.1f}" stroke-dasharray="{4 * scale:.1f},{2 * scale:.1f}"/>'
        f'<path d="{cross}" stroke-width="{2 * scale:.1f}"/></g>'
    )


_SAME_POINT_M = 0.01  # a lane's end and its graph node, a float's rounding apart


def _route_path(
    site_graph: SiteGraph, route: RouteLine, graph: nx.Graph, xy: Callable[[float, float], str], scale: float
) -> str:
    nodes = [site_graph.gate_node, *(site_graph.entrance_nodes[b] for b in route.stops), site_graph.gate_node]
    coords: list[tuple[float, float]] = []

    def node_xy(node: int) -> tuple[float, float]:
        return (site_graph.graph.nodes[node]["x"], site_graph.graph.nodes[node]["y"])

    def add(point: tuple[float, float]) -> None:
        if not coords or math.dist(coords[-1], point) > _SAME_POINT_M:
            coords.append(point)

    for start, end in itertools.pairwise(nodes):
        try:
            leg = nx.shortest_path(graph, start, end, weight="length_m")
        except (nx.NetworkXNoPath, nx.NodeNotFound):
            leg = [start, end]
        add(node_xy(leg[0]))
        for here, there in itertools.pairwise(leg):
            # along the lane's own bends (a lane round a fence is no straight line between its ends)
            if graph.has_edge(here, there):
                points = list(graph.edges[here, there]["line"].coords)
                if math.dist(points[0], node_xy(here)) > math.dist(points[-1], node_xy(here)):
                    points.reverse()
                for point in points:
                    add(point)
            add(node_xy(there))
    d = "M " + " L ".join(xy(x, y) for x, y in coords)
    return (
        f'<path class="route" data-label="{escape(route.label)}" d="{d}" fill="none" stroke="{route.colour}" '
        f'stroke-width="{2.5 * scale:.2f}" stroke-opacity="0.85" stroke-linejoin="round"/>'
    )


def _stop_numbers(
    site_graph: SiteGraph, route: RouteLine, minx: float, maxy: float, scale: float
) -> list[str]:
    marks = []
    radius = 9 * scale
    for number, building in enumerate(route.stops, start=1):
        node = site_graph.graph.nodes[site_graph.entrance_nodes[building]]
        cx, cy = node["x"] - minx, maxy - node["y"]
        marks.append(
            f'<g class="stop" data-building="{escape(building)}"><circle cx="{cx:.1f}" cy="{cy:.1f}" r="{radius:.1f}" '
            f'fill="{route.colour}" stroke="#fff" stroke-width="{scale:.2f}"/>'
            f'<text x="{cx:.1f}" y="{cy + radius * 0.35:.1f}" font-size="{radius * 1.1:.1f}" text-anchor="middle" '
            f'fill="#fff" font-weight="bold">{number}</text></g>'
        )
    return marks


def map_aspect(site_graph: SiteGraph) -> float:
    """Height over width of the site's maps, for sizing them on a page before drawing them."""
    minx, miny, maxx, maxy = _frame(site_graph)
    return (maxy - miny) / (maxx - minx)


def _frame(site_graph: SiteGraph) -> tuple[float, float, float, float]:
    """The site's bounds with a margin round them (metres)."""
    minx, miny, maxx, maxy = _bounds(site_graph)
    margin = max(maxx - minx, maxy - miny) * 0.04 + 5
    return minx - margin, miny - margin, maxx + margin, maxy + margin


def _bounds(site_graph: SiteGraph) -> tuple[float, float, float, float]:
    xs = [d["x"] for _, d in site_graph.graph.nodes(data=True)]
    ys = [d["y"] for _, d in site_graph.graph.nodes(data=True)]
    for footprint in site_graph.footprints_m.values():
        x0, y0, x1, y1 = footprint.bounds
        xs += [x0, x1]
        ys += [y0, y1]
    return min(xs), min(ys), max(xs), max(ys)
