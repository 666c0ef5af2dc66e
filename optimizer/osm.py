"""A compound's site map drawn from an OpenStreetMap export, to start from instead of a blank page.

Drawing the gate, every lane and 125 building footprints by hand is the first thing a coordinator
would have to do, and Shanghai's compounds are mostly mapped in OpenStreetMap already: their
outline (landuse=residential, with the compound's name), the buildings (with their house numbers,
often their levels) and the lanes inside. The export of the area (openstreetmap.org, Export; or
any .osm / .osm.pbf extract) is read with pyosmium, which assembles multipolygon buildings; what
lies inside the named compound becomes OneBell's site GeoJSON (docs/formats.md), checked by the
same parser the planner uses. What OpenStreetMap rarely has — households per building, a lane the
mappers left out — the summary names, to fill in before the first plan.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import osmium
import shapely
from osmium.geom import WKBFactory
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Point, Polygon, mapping
from shapely.geometry.base import BaseGeometry

from optimizer.errors import SiteError
from optimizer.files import decode_text, read_bytes
from optimizer.graph import build_graph, unreachable_buildings
from optimizer.site import Site, house_number, parse_site

LANE_MODES: dict[str, list[str] | None] = {
    "service": None,
    "living_street": None,
    "residential": None,
    "unclassified": None,
    "pedestrian": None,
    "footway": None,
    "path": None,
    "cycleway": None,
    "track": None,
    "steps": ["foot"],
}
"""The highways that become lanes, and who may use them (None: every vehicle and on foot). A
compound's footways are ridden by tricycles as often as not; the coordinator narrows a lane's modes
where they are not (docs/formats.md, `lane`)."""

NOT_HOMES = frozenset(
    {
        "garage",
        "garages",
        "shed",
        "roof",
        "carport",
        "kiosk",
        "toilets",
        "service",
        "transformer_tower",
        "hut",
        "container",
        "construction",
        "ruins",
        "guardhouse",
        "gatehouse",
        "greenhouse",
        "parking",
        "bunker",
        "pavilion",
    }
)
"""`building=` values no parcels go to: a compound's garages, sheds and substations, the guards'
hut at the gate, a building still going up (nobody lives there yet), are left out."""

RESIDENTIAL = {("landuse", "residential"), ("place", "neighbourhood"), ("place", "quarter")}
"""The tags a compound's outline carries in OpenStreetMap."""

REACH_M = 20.0
"""How far outside the outline a lane is kept (to reach a gate drawn on it) and a gate is looked for."""

DOOR_M = 1.0
"""An entrance node this close to a building's outline is that building's door (mappers put it on
the outline: a vertex of the building's way)."""

_METRES_PER_DEGREE = 111_320.0


@dataclass
class FromOsm:
    """The site GeoJSON and what the coordinator should look at before planning with it."""

    document: dict[str, Any]
    site: Site
    gate: str
    without_households: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    """Buildings whose id was taken already (two footprints with one house number): "7-2" and so on."""
    no_tricycle: list[str] = field(default_factory=list)
    """Buildings a tricycle cannot reach: nearest to steps or a lane cut off from the gate."""
    unnumbered: list[str] = field(default_factory=list)
    """Buildings with no house number, ref or name on the map: their id is the OSM id (w123)."""
    cut_off: list[str] = field(default_factory=list)
    """Buildings left out because the export holds only part of their outline (an extract cut at
    its edge, nodes missing): by OSM id, to export a larger area or draw them. A multipolygon
    building is placed by the nodes its member ways the export holds; one with none is not listed."""


@dataclass
class _Area:
    osm_id: str
    tags: dict[str, str]
    shape: MultiPolygon


_Node = tuple[str, dict[str, str], Point]
"""An OSM node's id (n123), tags and place."""


@dataclass
class _Export:
    areas: list[_Area]
    lines: list[tuple[str, dict[str, str], LineString | MultiLineString]]
    openings: list[_Node]
    """Gates and doors: nodes tagged barrier=gate or entrance=*."""
    unassembled: list[_Unassembled] = field(default_factory=list)


@dataclass
class _Unassembled:
    """An outline (a building's, a compound's) the export holds only part of: an extract cut at
    its edge leaves a way without some of its nodes, a multipolygon without some of its ways.
    osmium assembles no area from it, so it would be left out unsaid."""

    osm_id: str
    tags: dict[str, str]
    points: list[Point]  # its nodes the export does hold (a relation's: its member ways')


def site_from_osm(
    path: str | Path | bytes,
    *,
    compound: str | None = None,
    site_id: str | None = None,
    gate: str | None = None,
    households: Mapping[str, int] | None = None,
) -> FromOsm:
    """The compound named `compound` (its name, name:zh or name:en, or its OSM id: w123, r45) in the
    export at `path` (or the export itself, as uploaded), as a site. `gate`: an OSM node id (n67)
    or "lon,lat" where the parcels arrive; default the one gate on the outline. `households`: by
    building id, for what the map lacks (a building's building:flats tag is used otherwise)."""
    export = _read(path)
    outline = _compound(export.areas, compound, export.unassembled)
    reach = outline.shape.buffer(REACH_M / _METRES_PER_DEGREE)
    cut_off = [
        part.osm_id
        for part in export.unassembled
        if part.tags.get("building", "no") not in NOT_HOMES | {"no"}
        and any(reach.contains(p) for p in part.points)
    ]
    buildings, without, renamed, doors = _buildings(export.areas, outline, households or {}, export.openings)
    gates = [g for g in export.openings if g[0] not in doors]  # a building's door is no gate
    gate_id, gate_tags, gate_point = _gate(gates, outline, reach, gate)
    features: list[dict[str, Any]] = [
        _feature("gate", gate_id, gate_point, {"name": gate_tags["name"]} if "name" in gate_tags else {})
    ]
    features += buildings
    features += _lanes(export.lines, reach)
    name = (
        outline.tags.get("name")
        or outline.tags.get("name:zh")
        or outline.tags.get("name:en")
        or outline.osm_id
    )
    document = {
        "type": "FeatureCollection",
        "site": {"id": site_id or _slug(outline), "name": name},
        "features": features,
    }
    site = parse_site(document)
    site_graph = build_graph(site)  # a building no lane joins to the gate is named now, not when planning
    unnumbered = [b.id for b in site.buildings if b.id[:1] in "wr" and b.id[1:].isdigit()]
    no_tricycle = unreachable_buildings(site_graph, ["tricycle"])
    return FromOsm(document, site, gate_id, without, renamed, no_tricycle, unnumbered, cut_off)


def read_households(path: str | Path) -> dict[str, int]:
    """A sheet of building and households (楼号,户数 or building,households), CSV."""
    text = decode_text(read_bytes(path, what="households", error=SiteError))
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise SiteError(f"{path} is empty", field="households", zh=f"{path} 是空的")
    header = [cell.strip().lower() for cell in rows[0]]
    try:
        building = next(i for i, h in enumerate(header) if h in ("building", "楼号", "楼栋"))
        count = next(i for i, h in enumerate(header) if h in ("households", "户数"))
    except StopIteration:
        raise SiteError(
            f"{path}: the first line must name the columns building and households (or 楼号 and 户数)",
            field="households",
            zh=f"{path}：第一行要写列名 楼号 和 户数（或 building 和 households）",
        ) from None
    found: dict[str, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = row + [""] * (max(building, count) + 1 - len(row))
        value = cells[count].strip()
        if not value.isdigit():
            raise SiteError(
                f"{path} line {line}: households must be a whole number, got {value!r}",
                field=f"line {line}",
                zh=f"{path} 第 {line} 行：户数要写整数，写的是「{value}」",
            )
        found[house_number(cells[building])] = int(value)
    return found


def _read(path: str | Path | bytes) -> _Export:
    def source() -> Any:  # read twice: a buffer is used up by one pass
        if isinstance(path, bytes):  # an upload: XML, or else the binary PBF
            return osmium.io.FileBuffer(path, "osm" if path.lstrip()[:1] == b"<" else "pbf")
        return str(path)

    if isinstance(path, bytes):
        shown, shown_zh = "the upload", "上传的文件"
    else:
        read_bytes(path, what="OpenStreetMap export", error=SiteError)  # a missing file named as such
        shown = shown_zh = str(path)
    factory = WKBFactory()
    areas: list[_Area] = []
    lines: list[tuple[str, dict[str, str], LineString | MultiLineString]] = []
    openings: list[_Node] = []
    outlines: dict[str, _Unassembled] = {}  # cut ways, and multipolygons until assembled, of outlines
    try:
        # Multipolygon outlines first (relations come last in a file): the points their member
        # ways hold place one the extract cut, to be named among the buildings it cut off.
        member_of: dict[int, _Unassembled] = {}
        for item in osmium.FileProcessor(source(), osmium.osm.RELATION):
            tags = {tag.k: tag.v for tag in item.tags}
            if (
                isinstance(item, osmium.osm.Relation)
                and _outlines(tags)
                and tags.get("type") == "multipolygon"
            ):
                outline = outlines[f"r{item.id}"] = _Unassembled(f"r{item.id}", tags, [])
                member_of.update((m.ref, outline) for m in item.members if m.type == "w")
        for item in osmium.FileProcessor(source()).with_locations().with_areas():
            tags = {tag.k: tag.v for tag in item.tags}
            if isinstance(item, osmium.osm.Area) and tags:
                shape = shapely.from_wkb(factory.create_multipolygon(item))
                kind = "w" if item.from_way() else "r"
                areas.append(_Area(f"{kind}{item.orig_id()}", tags, shape))
            elif isinstance(item, osmium.osm.Way) and tags.get("highway") in LANE_MODES:
                line = _held_part(item)
                if line is not None:
                    lines.append((f"w{item.id}", tags, line))
            elif isinstance(item, osmium.osm.Way) and _outlines(tags) and item.is_closed():
                points = [Point(n.lon, n.lat) for n in item.nodes if n.location.valid()]
                if len(points) < len(item.nodes):  # nodes missing: osmium will assemble no area
                    outlines[f"w{item.id}"] = _Unassembled(f"w{item.id}", tags, points)
            elif isinstance(item, osmium.osm.Way) and item.id in member_of:
                member_of[item.id].points.extend(
                    Point(n.lon, n.lat) for n in item.nodes if n.location.valid()
                )
            elif isinstance(item, osmium.osm.Node) and (tags.get("barrier") == "gate" or "entrance" in tags):
                openings.append((f"n{item.id}", tags, Point(item.location.lon, item.location.lat)))
    except RuntimeError as failure:  # pyosmium's word for a file it cannot parse
        raise SiteError(
            f"{shown} is not an OpenStreetMap file osmium can read ({failure})",
            field="osm",
            zh=f"{shown_zh} 不是能读的 OpenStreetMap 文件（{failure}）",
        ) from failure
    assembled = {area.osm_id for area in areas}
    return _Export(areas, lines, openings, [o for o in outlines.values() if o.osm_id not in assembled])


def _outlines(tags: Mapping[str, str]) -> bool:
    """A building's or a compound's outline: what the site needs whole."""
    return "building" in tags or _residential(tags)


def _residential(tags: Mapping[str, str]) -> bool:
    return any((k, v) in RESIDENTIAL for k, v in tags.items())


def _held_part(way: Any) -> LineString | MultiLineString | None:
    """The way as far as the export holds its nodes: a road leaving an extract cut at its edge
    keeps its part inside (each run of nodes the export holds); None if no two of them are."""
    runs: list[list[tuple[float, float]]] = [[]]
    for node in way.nodes:
        if node.location.valid():
            runs[-1].append((node.lon, node.lat))
        elif runs[-1]:
            runs.append([])
    parts = [LineString(run) for run in runs if len(set(run)) >= 2]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else MultiLineString(parts)


def _compound(areas: list[_Area], asked: str | None, unassembled: list[_Unassembled]) -> _Area:
    """The outline asked for, by name or id (a residential area before, say, a building of the same
    name); without one, the only residential area in the file."""
    outlines = [a for a in areas if _residential(a.tags)]
    found = outlines
    names = ("name", "name:zh", "name:en")
    if asked:
        found = [a for a in areas if asked in (a.osm_id, a.osm_id[1:], *(a.tags.get(n) for n in names))]
        found = [a for a in found if a in outlines] or found
    if len(found) == 1:
        return found[0]
    if not found:  # the compound is there, but the export holds only part of its outline
        partial = [
            part
            for part in unassembled
            if (asked in (part.osm_id, part.osm_id[1:], *(part.tags.get(n) for n in names)))
            or (not asked and _residential(part.tags))
        ]
        if partial:
            shown = "; ".join(f"{part.osm_id} {part.tags.get('name', '(no name)')}" for part in partial[:12])
            raise SiteError(
                f"the export holds only part of the compound's outline ({shown}): it was cut at the "
                "export's edge, so nodes or ways of it are missing. Export an area that holds the whole "
                "compound",
                field="compound",
                zh=f"导出的地图只有小区轮廓的一部分（{shown}）：导出范围的边缘把它切掉了，缺了一些点或线。"
                "请导出包含整个小区的范围",
            )
    listed = "; ".join(f"{a.osm_id} {a.tags.get('name', '(no name)')}" for a in outlines[:12]) or "none"
    if not found:
        which = f"no area {asked!r}" if asked else "no compound outline (landuse=residential)"
        which_zh = f"找不到「{asked}」" if asked else "没有小区轮廓（landuse=residential）"
    else:
        which = f"{len(found)} areas named {asked!r}" if asked else "more than one compound outline"
        which_zh = f"有 {len(found)} 处叫「{asked}」" if asked else "有不止一个小区轮廓"
    raise SiteError(
        f"{which} in the export: give the compound's name or OSM id. Residential areas found: {listed}",
        field="compound",
        zh=f"导出的地图里{which_zh}：请写小区名或它的 OpenStreetMap 编号。找到的住宅区：{listed}",
    )


def _gate(gates: list[_Node], outline: _Area, reach: BaseGeometry, asked: str | None) -> _Node:
    if asked and "," in asked:
        try:
            lon, lat = (float(part) for part in asked.split(","))
        except ValueError:
            lon = lat = float("nan")
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise SiteError(
                f"gate {asked!r}: give the gate's node id (n123) or its lon,lat",
                field="gate",
                zh=f"大门「{asked}」：请写大门的节点编号（如 n123）或 经度,纬度",
            )
        return "gate", {}, Point(lon, lat)
    near = [g for g in gates if reach.contains(g[2])]
    if asked:
        chosen = [g for g in gates if asked in (g[0], g[0][1:])]
        if chosen:
            return chosen[0]
    else:
        main = [g for g in near if g[1].get("entrance") == "main"]
        if len(near) == 1 or len(main) == 1:
            return (main or near)[0]
    listed = "; ".join(f"{g[0]} {g[1].get('name', '')}".strip() for g in near) or "none"
    which = f"no gate node {asked!r}" if asked else ("no gate" if not near else "more than one gate")
    which_zh = f"找不到大门节点「{asked}」" if asked else ("找不到大门" if not near else "有不止一个门")
    raise SiteError(
        f"{which} on the outline of {outline.osm_id}: give the gate the parcels come in by (its node id, "
        f"or lon,lat). Gates found: {listed}",
        field="gate",
        zh=f"{outline.osm_id} 的轮廓上{which_zh}：请写包裹进来的那个门（节点编号，或 经度,纬度）。找到的门：{listed}",
    )


def _buildings(
    areas: Iterable[_Area],
    outline: _Area,
    households: Mapping[str, int],
    nodes: Iterable[_Node],
) -> tuple[list[dict[str, Any]], list[str], list[str], set[str]]:
    """The buildings inside the outline as features, by house number; those whose households the
    map and `households` do not give (written as 0), those renamed for a number taken, and the
    entrance nodes on their outlines taken as their entrances (the main one where it is tagged)."""
    features: list[dict[str, Any]] = []
    taken: set[str] = set()
    without: list[str] = []
    renamed: list[str] = []
    doors = [(node_id, tags, point) for node_id, tags, point in nodes if "entrance" in tags]
    used: set[str] = set()
    inside = [a for a in areas if a.tags.get("building", "no") not in NOT_HOMES | {"no"} and a is not outline]
    inside = [a for a in inside if outline.shape.contains(a.shape.representative_point())]
    for area in sorted(inside, key=lambda a: _sort_key(_building_id(a))):
        building_id = _building_id(area)
        if building_id in taken:
            number = 2
            while f"{building_id}-{number}" in taken:
                number += 1
            building_id = f"{building_id}-{number}"
            renamed.append(building_id)
        taken.add(building_id)
        footprint = max(area.shape.geoms, key=lambda part: part.area)
        numbered = f"{building_id}号楼" if building_id[:1].isdigit() else building_id
        properties: dict[str, Any] = {"name": area.tags.get("name") or numbered}
        flats = area.tags.get("building:flats", "").strip()
        if building_id in households:
            properties["households"] = households[building_id]
        elif flats.isdigit():
            properties["households"] = int(flats)
        else:
            properties["households"] = 0
            without.append(building_id)
        on_outline = [d for d in doors if footprint.exterior.distance(d[2]) < DOOR_M / _METRES_PER_DEGREE]
        if on_outline:
            point = min(on_outline, key=lambda d: (d[1].get("entrance") != "main", d[0]))[2]
            properties["entrance"] = [round(point.x, 7), round(point.y, 7)]
            used.update(d[0] for d in on_outline)
        levels = area.tags.get("building:levels", "").strip()
        if levels.isdigit() and int(levels) >= 1:
            properties["floors"] = int(levels)
        properties["osm"] = area.osm_id
        features.append(_feature("building", building_id, Polygon(footprint.exterior), properties))
    return features, without, renamed, used


def _lanes(
    lines: Iterable[tuple[str, dict[str, str], LineString | MultiLineString]], reach: BaseGeometry
) -> list[dict[str, Any]]:
    """Each highway's part within reach of the outline; one cut in two by the outline gives two lanes."""
    features = []
    for osm_id, tags, line in lines:
        kept = line.intersection(reach)
        parts = list(kept.geoms) if isinstance(kept, MultiLineString) else [kept]
        parts = [part for part in parts if isinstance(part, LineString) and part.length > 0]
        for number, part in enumerate(parts, start=1):
            properties: dict[str, Any] = {"highway": tags["highway"], "osm": osm_id}
            modes = LANE_MODES[tags["highway"]]
            if modes is not None:
                properties["modes"] = modes
            if "name" in tags:
                properties["name"] = tags["name"]
            lane_id = osm_id if len(parts) == 1 else f"{osm_id}-{number}"
            features.append(_feature("lane", lane_id, part, properties))
    return features


def _feature(
    kind: str, feature_id: str, geometry: BaseGeometry, properties: dict[str, Any]
) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"kind": kind, "id": feature_id, **properties},
        "geometry": mapping(shapely.set_precision(geometry, 1e-7)),
    }


def _building_id(area: _Area) -> str:
    """The house number as the counts sheet writes it ("3号" and "3号楼" are building 3), else the
    name so trimmed, else the OSM id."""
    for key in ("addr:housenumber", "ref", "name"):
        value = area.tags.get(key, "").strip()
        if value:
            return house_number(value)
    return area.osm_id


def _sort_key(building_id: str) -> tuple[int, str]:
    digits = re.match(r"\d+", building_id)
    return (int(digits.group()) if digits else 1 << 30, building_id)


def _slug(outline: _Area) -> str:
    english = re.sub(r"[^A-Za-z0-9]+", "-", outline.tags.get("name:en", "")).strip("-").lower()
    return english[:100] or f"osm-{outline.osm_id}"
