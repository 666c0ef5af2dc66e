"""The compound as the coordinator draws it: gate, buildings, lanes and zones (GeoJSON, lon/lat).

Loading validates everything a solver would otherwise trip over later, and names the feature at
fault, because a hand-drawn map is the most common source of a bad day.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shapely.affinity import affine_transform
from shapely.geometry import LineString, Point, Polygon, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from optimizer.errors import SiteError
from optimizer.files import read_json

MODES: tuple[str, ...] = ("tricycle", "ebike", "bicycle", "cart", "foot")

_HOUSE_NUMBER_SUFFIX = re.compile(r"\s*(号楼|号|栋|幢|座)$")


def house_number(text: str) -> str:
    """A building as people write its number — "3号", "3号楼", "3栋", "3幢" — as its id "3"."""
    stripped = text.strip()
    return _HOUSE_NUMBER_SUFFIX.sub("", stripped) or stripped


def building_order(building_id: str) -> tuple[tuple[int, int | str], ...]:
    """Buildings in the order their numbers go (2 before 12, 12A after 12), as a list of buildings
    a coordinator scans is read, not as text sorts them."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", building_id) if part
    )


DOORBELLS: tuple[str, ...] = ("working", "broken")
KINDS: tuple[str, ...] = ("gate", "building", "lane", "zone")
KINDS_ZH = {"gate": "大门", "building": "楼", "lane": "道路", "zone": "片区"}


@dataclass(frozen=True)
class _Where:
    """The feature at fault, named in both languages: a district office drawing maps in Chinese
    reads the map's messages in Chinese, as a coordinator reads the counts'."""

    en: str
    zh: str

    @staticmethod
    def feature(kind: str, feature_id: str, number: int) -> _Where:
        return _Where(
            f"{kind} {feature_id!r} (feature {number})", f"{KINDS_ZH[kind]} {feature_id}（要素 {number}）"
        )

    def error(self, en: str, zh: str, *, field: str | None = None) -> SiteError:
        return SiteError(f"{self.en}: {en}", zh=f"{self.zh}：{zh}", field=field)


_SITE = _Where("site", "小区地图")


@dataclass(frozen=True)
class Gate:
    id: str
    name: str
    lonlat: tuple[float, float]


@dataclass(frozen=True)
class Building:
    id: str
    name: str
    households: int
    floors: int
    footprint: BaseGeometry  # Polygon or Point, lon/lat
    entrance: tuple[float, float] | None = None
    doorbell: str = "working"
    contact: str | None = None
    sealed: bool = False
    zone: str | None = None

    @property
    def has_broken_doorbell(self) -> bool:
        return self.doorbell == "broken"


@dataclass(frozen=True)
class Lane:
    id: str
    modes: frozenset[str]
    line: LineString  # lon/lat
    name: str = ""  # defaults to the id when read from a map
    closed: bool = False
    """Closed today (a barricade, a locked gate between zones, road works): no crew rides it, the
    designated pair neither. It changes during a day without sending the map again."""


@dataclass(frozen=True)
class Zone:
    id: str
    name: str
    area: Polygon  # lon/lat
    sealed: bool = False


@dataclass(frozen=True)
class Site:
    id: str
    name: str
    gate: Gate
    buildings: tuple[Building, ...]
    lanes: tuple[Lane, ...]
    zones: tuple[Zone, ...] = ()

    def building(self, building_id: str) -> Building:
        for building in self.buildings:
            if building.id == building_id:
                return building
        raise KeyError(building_id)

    @property
    def building_ids(self) -> tuple[str, ...]:
        return tuple(b.id for b in self.buildings)

    @property
    def households(self) -> int:
        return sum(b.households for b in self.buildings)


def sealed_buildings(site: Site) -> frozenset[str]:
    """Buildings sealed themselves, or in a sealed zone (`zone_buildings`)."""
    in_sealed_zones = {b for zone in site.zones if zone.sealed for b in zone_buildings(site, zone)}
    return frozenset(b.id for b in site.buildings if b.sealed or b.id in in_sealed_zones)


def zone_buildings(site: Site, zone: Zone) -> tuple[str, ...]:
    """The buildings a zone's seal closes: those whose footprint or entrance lies in it, by the
    map's geometry rather than the buildings' `zone` labels, which name the zone a building is
    counted in (a building at a zone's edge may have its door inside)."""
    return tuple(
        building.id
        for building in site.buildings
        if zone.area.contains(building.footprint.representative_point())
        or (building.entrance is not None and zone.area.contains(Point(building.entrance)))
    )


def load_site(path: str | Path) -> Site:
    """Read and validate a site GeoJSON file."""
    return parse_site(read_json(path, what="site", error=SiteError))


def parse_site(document: Any, *, accepted: bool = False) -> Site:
    """Validate a parsed site GeoJSON document and build the domain objects.

    `accepted`: a map stored earlier, read back. Checks added to OneBell since it was stored that
    the planner can do without (an entrance's distance from its building) do not refuse it: one
    compound's old map would otherwise lock its team out of their own data, and a server's lists
    of every compound with it. A map sent again is held to every check."""
    if not isinstance(document, Mapping) or document.get("type") != "FeatureCollection":
        raise _SITE.error(
            "expected a GeoJSON FeatureCollection", "要是一个 GeoJSON FeatureCollection", field="type"
        )
    meta = document.get("site")
    if not isinstance(meta, Mapping) or not isinstance(meta.get("id"), str) or not meta["id"]:
        raise _SITE.error(
            'the FeatureCollection needs a "site": {"id": ..., "name": ...}',
            'FeatureCollection 里要有 "site": {"id": ..., "name": ...}',
            field="site.id",
        )
    features = document.get("features")
    if not isinstance(features, list):
        raise _SITE.error("'features' must be a list", "'features' 要是一个列表", field="features")

    gates: list[Gate] = []
    buildings: list[Building] = []
    lanes: list[Lane] = []
    zones: list[Zone] = []
    seen: dict[tuple[str, str], int] = {}
    for number, feature in enumerate(features):
        kind, feature_id, props, geometry = _read_feature(feature, number)
        key = (kind, feature_id)
        if key in seen:
            raise SiteError(
                f"duplicate {kind} id {feature_id!r} (features {seen[key]} and {number})",
                field=f"features[{number}].properties.id",
                zh=f"{KINDS_ZH[kind]}编号 {feature_id} 重复（要素 {seen[key]} 和 {number}）",
            )
        seen[key] = number
        where = _Where.feature(kind, feature_id, number)
        if kind == "gate":
            gates.append(_gate(feature_id, props, geometry, where))
        elif kind == "building":
            buildings.append(_building(feature_id, props, geometry, where, accepted=accepted))
        elif kind == "lane":
            lanes.append(_lane(feature_id, props, geometry, where))
        else:
            zones.append(_zone(feature_id, props, geometry, where))

    if not gates:
        raise SiteError(
            "site has no gate: add a Point feature with kind 'gate'",
            field="features",
            zh="小区地图上没有大门：请加一个 kind 为 'gate' 的点（Point）",
        )
    if len(gates) > 1:
        names = ", ".join(repr(g.id) for g in gates)
        raise SiteError(
            f"site has {len(gates)} gates ({names}); OneBell plans from one gate",
            zh=f"小区地图上有 {len(gates)} 个大门（{'、'.join(g.id for g in gates)}）；OneBell 只从一个大门出发排路线",
        )
    if not buildings:
        raise SiteError("site has no buildings", field="features", zh="小区地图上没有楼")
    if not lanes:
        raise SiteError(
            "site has no lanes: draw at least one LineString with kind 'lane'",
            zh="小区地图上没有道路：请至少画一条 kind 为 'lane' 的线（LineString）",
        )
    return Site(
        id=meta["id"],
        name=str(meta.get("name") or meta["id"]),
        gate=gates[0],
        buildings=tuple(buildings),
        lanes=tuple(lanes),
        zones=tuple(zones),
    )


def _read_feature(feature: Any, number: int) -> tuple[str, str, Mapping[str, Any], BaseGeometry]:
    where = _Where(f"feature {number}", f"要素 {number}")
    if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
        raise where.error("not a GeoJSON Feature", "不是 GeoJSON Feature", field=f"features[{number}]")
    props = feature.get("properties")
    if not isinstance(props, Mapping):
        raise where.error("missing 'properties'", "缺少 'properties'", field=f"features[{number}].properties")
    kind = props.get("kind")
    if kind not in KINDS:
        raise where.error(
            f"properties.kind is {kind!r}; use one of {', '.join(KINDS)}",
            f"properties.kind 是 {kind!r}；请用 {', '.join(KINDS)} 之一",
            field=f"features[{number}].properties.kind",
        )
    raw_id = props.get("id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, str | int) or str(raw_id) == "":
        raise SiteError(
            f"{where.en} ({kind}): properties.id is missing",
            field=f"features[{number}].properties.id",
            zh=f"{where.zh}（{KINDS_ZH[kind]}）：缺少 properties.id",
        )
    feature_id = str(raw_id)
    where = _Where.feature(kind, feature_id, number)
    raw_geometry = feature.get("geometry")
    try:
        geometry = shape(raw_geometry)
    except Exception as error:  # shapely raises several types for malformed geometry
        raise where.error(
            f"malformed geometry ({error})", f"几何图形有误（{error}）", field=f"features[{number}].geometry"
        ) from error
    if geometry.is_empty:
        raise where.error("empty geometry", "几何图形是空的")
    _check_lonlat(geometry, where)
    return kind, feature_id, props, geometry


def _check_lonlat(geometry: BaseGeometry, where: _Where) -> None:
    minx, miny, maxx, maxy = geometry.bounds
    if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)):
        raise where.error("coordinates must be finite numbers", "坐标要是有限的数字")
    if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
        raise where.error(
            "coordinates must be [longitude, latitude] in degrees (WGS84)",
            "坐标要写成 [经度, 纬度]，单位是度（WGS84）",
        )


ENTRANCE_MAX_M = 50.0
"""How far an entrance may lie from its building's outline: on it (as OpenStreetMap maps one) or
across a forecourt. Farther is a mistyped coordinate, which would otherwise put the building's
stop wherever it points and leave its parcels "out of the crews' time" with no hint why."""

_M_PER_DEGREE_LAT = 110_574.0
_M_PER_DEGREE_LON_AT_EQUATOR = 111_320.0


def _check_entrance_at_building(
    entrance: tuple[float, float], footprint: BaseGeometry, where: _Where
) -> None:
    """Within a compound an equirectangular scale is exact to well under a metre in 50."""
    x_scale = _M_PER_DEGREE_LON_AT_EQUATOR * math.cos(math.radians(entrance[1]))
    if footprint.distance(Point(entrance)) * max(x_scale, _M_PER_DEGREE_LAT) <= ENTRANCE_MAX_M:
        return  # no farther in metres than this bound: the common case, without scaling the outline
    scaled = affine_transform(footprint, [x_scale, 0, 0, _M_PER_DEGREE_LAT, 0, 0])
    gap_m = scaled.distance(Point(entrance[0] * x_scale, entrance[1] * _M_PER_DEGREE_LAT))
    if gap_m > ENTRANCE_MAX_M:
        raise where.error(
            f"its entrance is {gap_m:,.0f} m from the building's outline; an entrance is at its "
            f"building (within {ENTRANCE_MAX_M:.0f} m): check the entrance's [longitude, latitude]",
            f"楼门离楼的轮廓有 {gap_m:.0f} 米；楼门应在楼边上（{ENTRANCE_MAX_M:.0f} 米以内）："
            "请检查楼门的 [经度, 纬度]",
            field="entrance",
        )


def _gate(gate_id: str, props: Mapping[str, Any], geometry: BaseGeometry, where: _Where) -> Gate:
    if not isinstance(geometry, Point):
        raise where.error(
            f"a gate must be a Point, not a {geometry.geom_type}",
            f"大门要是一个点（Point），不能是 {geometry.geom_type}",
        )
    return Gate(id=gate_id, name=str(props.get("name") or gate_id), lonlat=(geometry.x, geometry.y))


def _building(
    building_id: str, props: Mapping[str, Any], geometry: BaseGeometry, where: _Where, *, accepted: bool
) -> Building:
    if isinstance(geometry, Polygon):
        if not geometry.is_valid:
            explained = explain_validity(geometry)
            raise where.error(
                f"footprint is not a valid polygon: {explained}", f"楼的轮廓不是有效的多边形：{explained}"
            )
    elif not isinstance(geometry, Point):
        raise where.error(
            f"a building must be a Polygon or a Point, not a {geometry.geom_type}",
            f"楼要是多边形（Polygon）或点（Point），不能是 {geometry.geom_type}",
        )
    households = _int_field(props, "households", where, minimum=0, default=None)
    floors = _int_field(props, "floors", where, minimum=1, default=1)
    entrance = props.get("entrance")
    entrance_lonlat: tuple[float, float] | None = None
    if entrance is not None:
        if (
            not isinstance(entrance, list | tuple)
            or len(entrance) != 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in entrance)
        ):
            raise where.error(
                "entrance must be [longitude, latitude]",
                "entrance（楼门）要写成 [经度, 纬度]",
                field="entrance",
            )
        entrance_lonlat = (float(entrance[0]), float(entrance[1]))
        _check_lonlat(Point(entrance_lonlat), _Where(f"{where.en} entrance", f"{where.zh}楼门"))
        if not accepted:
            _check_entrance_at_building(entrance_lonlat, geometry, where)
    doorbell = props.get("doorbell", "working")
    if doorbell not in DOORBELLS:
        raise where.error(
            f"doorbell is {doorbell!r}; use 'working' or 'broken'",
            f"doorbell 是 {doorbell!r}；门铃好的写 'working'，坏了写 'broken'",
            field="doorbell",
        )
    _check_sealed(props, where)
    contact = props.get("contact")
    zone = props.get("zone")
    return Building(
        id=building_id,
        name=str(props.get("name") or building_id),
        households=households,
        floors=floors,
        footprint=geometry,
        entrance=entrance_lonlat,
        doorbell=doorbell,
        contact=None if contact is None else str(contact),
        sealed=props.get("sealed", False),
        zone=None if zone is None else str(zone),
    )


def _lane(lane_id: str, props: Mapping[str, Any], geometry: BaseGeometry, where: _Where) -> Lane:
    if not isinstance(geometry, LineString):
        raise where.error(
            f"a lane must be a LineString, not a {geometry.geom_type}",
            f"道路要是一条线（LineString），不能是 {geometry.geom_type}",
        )
    if geometry.length == 0:
        raise where.error("the lane has zero length", "这条道路长度为零")
    modes = props.get("modes")
    if modes is None:
        mode_set = frozenset(MODES)
    else:
        if not isinstance(modes, list) or not modes:
            raise where.error("modes must be a non-empty list", "modes 要是一个不为空的列表", field="modes")
        unknown = [m for m in modes if m not in MODES]
        if unknown:
            raise where.error(
                f"unknown mode {unknown[0]!r}; use {', '.join(MODES)}",
                f"不认识的通行方式 {unknown[0]!r}；请用 {', '.join(MODES)}",
                field="modes",
            )
        mode_set = frozenset(modes)
    if not isinstance(props.get("closed", False), bool):
        raise where.error("closed must be true or false", "closed（封路）要写 true 或 false", field="closed")
    return Lane(
        id=lane_id,
        modes=mode_set,
        line=geometry,
        name=str(props.get("name") or lane_id),
        closed=props.get("closed", False),
    )


def _zone(zone_id: str, props: Mapping[str, Any], geometry: BaseGeometry, where: _Where) -> Zone:
    if not isinstance(geometry, Polygon):
        raise where.error(
            f"a zone must be a Polygon, not a {geometry.geom_type}",
            f"片区要是多边形（Polygon），不能是 {geometry.geom_type}",
        )
    if not geometry.is_valid:
        explained = explain_validity(geometry)
        raise where.error(f"not a valid polygon: {explained}", f"不是有效的多边形：{explained}")
    _check_sealed(props, where)
    return Zone(
        id=zone_id, name=str(props.get("name") or zone_id), area=geometry, sealed=props.get("sealed", False)
    )


def _check_sealed(props: Mapping[str, Any], where: _Where) -> None:
    if not isinstance(props.get("sealed", False), bool):
        raise where.error("sealed must be true or false", "sealed（封控）要写 true 或 false", field="sealed")


def _int_field(
    props: Mapping[str, Any], name: str, where: _Where, *, minimum: int, default: int | None
) -> int:
    value = props.get(name, default)
    if value is None:
        raise where.error(f"{name} is missing", f"缺少 {name}", field=name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise where.error(
            f"{name} must be a whole number, got {value!r}", f"{name} 要写整数，现在是 {value!r}", field=name
        )
    if value < minimum:
        raise where.error(
            f"{name} must be at least {minimum}, got {value}",
            f"{name} 要至少是 {minimum}，现在是 {value}",
            field=name,
        )
    return value
